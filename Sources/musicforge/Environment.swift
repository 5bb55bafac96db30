import App
import Foundation
import Logging
import Platform

/// Reads the configuration, or fails with the one sentence that names the bad setting (exit 2).
func loadConfiguration(requirements: AppConfiguration.Requirements) throws -> AppConfiguration {
    do {
        return try AppConfiguration(environment: ProcessInfo.processInfo.environment, requirements: requirements)
    } catch {
        throw CommandFailure.usage(error.description)
    }
}

/// JSON lines on stdout for the server; plain, quieter lines on stderr for the tools.
func bootstrapLogging(level: Logger.Level, json: Bool) {
    LoggingSystem.bootstrap { label in
        if json {
            return JSONLogHandler(label: label, level: level, sink: .standardOutput)
        }
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
