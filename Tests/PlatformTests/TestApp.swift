@testable import Accounts
import App
import Core
import Database
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import QueryParsing
import Redis
import TestSupport

@testable import Platform

/// The real application (router, middleware, generated handlers) over real Redis and PostgreSQL.
struct TestApp {
    var redisSettings: RedisSettings
    var databaseSettings: DatabaseSettings
    var logger: Logger = quietLogger
    var registry = PrometheusCollectorRegistry()
    var policy: RateLimitPolicy = .defaults
    var failurePolicy: RateLimitFailurePolicy = .local
    var adminKey: String?
    /// An LLM for query parsing (a fake provider's server); none by default.
    var llm: QueryParser.LLM?
    /// Further settings (catalogues, a library); applied last.
    var configure: (@Sendable (inout AppConfiguration) -> Void)?
    /// Each test app drains its own stream into its own database.
    var usageStream = "usage:" + UUID().uuidString
    /// Raised by a test to act as if SIGTERM had arrived.
    var drain = DrainState()

    /// On the shared servers, with a fresh database.
    static func shared() async throws -> TestApp {
        let redis = try await TestServers.redis()
        return TestApp(redisSettings: try RedisSettings(url: redis.url), databaseSettings: try await freshDatabaseSettings())
    }

    func dependencies() -> AppDependencies {
        var configuration = AppConfiguration()
        configuration.database = databaseSettings
        configuration.redis = redisSettings
        configuration.rateLimitFailure = failurePolicy
        configuration.rateLimitPolicy = policy
        configuration.adminKey = adminKey
        configuration.analysisExecutable = BuiltProducts.musicforge
        configure?(&configuration)
        var redisOptions = RedisClient.Options()
        // Generous: a command that times out falls back (local rate limits, usage straight to PostgreSQL,
        // a second LLM call), which changes what a test sees, and a loaded machine can keep the shared
        // Redis or this process's loop busy for a second. A stopped Redis still fails at once (refused).
        redisOptions.commandTimeout = .seconds(10)
        var dependencies = AppDependencies(
            configuration: configuration,
            database: Database(settings: databaseSettings, maximumConnections: 4, logger: logger),
            redis: RedisClient(settings: redisSettings, options: redisOptions, logger: logger),
            metrics: HTTPMetrics(registry: registry), usageStream: usageStream, llm: llm, logger: logger)
        dependencies.drain = drain
        return dependencies
    }

    /// Runs `body` against the application through HummingbirdTesting's router client, or with `.live`
    /// through a real server on a loopback port (`client.port`).
    func test<T: Sendable>(
        _ setup: TestingSetup = .router, dependencies given: AppDependencies? = nil,
        _ body: @Sendable @escaping (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        let dependencies = given ?? dependencies()
        defer { dependencies.analysis.shutdown() }
        let app = try ApplicationBuilder.application(dependencies: dependencies, logger: logger)
        return try await app.test(setup, body)
    }

    /// Creates a key straight in the store (what `musicforge keys create` does).
    func createKey(account: String = "acct-\(UUID().uuidString.prefix(8))", tier: Tier = .free, admin: Bool = false) async throws
        -> CreatedKey
    {
        try await Database.withRunning(settings: databaseSettings, logger: quietLogger) { database in
            try await Migrator(database: database).migrate()
            return try await KeyStore(database: database).create(account: account, tier: tier, isAdmin: admin)
        }
    }
}

/// A decoded error body, for assertions.
struct ErrorBody: Decodable {
    struct Inner: Decodable {
        var code: String
        var message: String
        var details: [String: JSONValue]?
        var request_id: String
    }
    var error: Inner

    init(_ response: TestResponse) throws {
        self = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] ?? [:]
    }
}
