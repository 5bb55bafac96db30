import Database
import Foundation
import Logging
import Redis
import TestSupport

@testable import Platform

/// Loggers that stay quiet unless a test fails loudly.
let quietLogger: Logger = {
    var logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

/// A Redis client for the shared test server.
func sharedRedisClient(_ options: RedisClient.Options = .init()) async throws -> RedisClient {
    let server = try await TestServers.redis()
    return RedisClient(settings: try RedisSettings(url: server.url), options: options, logger: quietLogger)
}

/// A fresh database on the shared PostgreSQL cluster.
func freshDatabaseSettings() async throws -> DatabaseSettings {
    let server = try await TestServers.postgres()
    return try DatabaseSettings(url: try await server.createDatabase())
}

/// A key no other test uses.
func uniqueKey(_ prefix: String = "test") -> String {
    "\(prefix):\(UUID().uuidString)"
}
