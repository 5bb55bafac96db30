import Core
import Logging
import NIOSSL
import PostgresNIO
import ServiceLifecycle

/// The service's PostgreSQL: a `PostgresClient` pool, run as a lifecycle service.
public struct Database: Service {
    public let client: PostgresClient
    public let logger: Logger
    public let settings: DatabaseSettings

    /// - Parameters:
    ///   - settings: where the server is.
    ///   - maximumConnections: pool size per process.
    ///   - logger: background and query logger.
    public init(settings: DatabaseSettings, maximumConnections: Int = 20, logger: Logger) {
        let tls: PostgresClient.Configuration.TLS =
            switch settings.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(3)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        self.settings = settings
    }

    /// Runs the pool until the service group shuts down.
    public func run() async throws {
        await client.run()
    }

    /// Whether a trivial query answers within `timeout`: for readiness.
    public func ping(timeout: Duration = .seconds(2)) async -> Bool {
        do {
            return try await withDeadline(timeout) {
                try await client.query("SELECT 1", logger: logger)
                return true
            }
        } catch {
            return false
        }
    }
}

extension Database {
    /// Runs `body` with a database whose pool runs for exactly as long: for commands and tests
    /// that are not part of a service group.
    public static func withRunning<T: Sendable>(
        settings: DatabaseSettings,
        maximumConnections: Int = 4,
        logger: Logger,
        _ body: @Sendable @escaping (Database) async throws -> T
    ) async throws -> T {
        let database = Database(settings: settings, maximumConnections: maximumConnections, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await database.client.run()
                return nil
            }
            defer { group.cancelAll() }
            let result = try await body(database)
            return result
        }
    }
}
