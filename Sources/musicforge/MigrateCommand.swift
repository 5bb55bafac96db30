import ArgumentParser
import Database
import Logging

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply PostgreSQL migrations (safe to run twice, and from several instances at once).",
        discussion: "Needs DATABASE_URL."
    )

    func run() async throws {
        let configuration = try loadConfiguration(requirements: .database)
        bootstrapLogging(level: configuration.logLevel, json: false)
        let logger = Logger(label: "musicforge.migrate")
        do {
            let applied = try await Database.withRunning(settings: configuration.database!, logger: logger) { database in
                try await Migrator(database: database).migrate()
            }
            print(applied.isEmpty ? "Up to date." : "Applied migrations \(applied.map(String.init).joined(separator: ", ")).")
        } catch {
            throw CommandFailure.work("Migrating failed: \(String(reflecting: error)).")
        }
    }
}
