import Hummingbird
import Logging
import Prometheus

/// The `serve` command's work: build the dependencies from configuration and run until SIGTERM or SIGINT.
public struct APIServer: Sendable {
    public let configuration: AppConfiguration
    public let registry: PrometheusCollectorRegistry

    /// - Parameters:
    ///   - configuration: checked configuration with database and Redis settings.
    ///   - registry: where `/metrics` reads from; the executable also points swift-metrics at it.
    public init(configuration: AppConfiguration, registry: PrometheusCollectorRegistry = .init()) {
        self.configuration = configuration
        self.registry = registry
    }

    public func run() async throws {
        guard let databaseSettings = configuration.database else {
            throw ConfigurationError.missing(name: "DATABASE_URL", hint: "serve needs PostgreSQL")
        }
        guard let redisSettings = configuration.redis else {
            throw ConfigurationError.missing(name: "REDIS_URL", hint: "serve needs Redis")
        }
        var logger = Logger(label: "musicforge")
        logger.logLevel = configuration.logLevel
        let dependencies = AppDependencies(
            configuration: configuration,
            database: Database(settings: databaseSettings, logger: logger),
            redis: RedisClient(settings: redisSettings, logger: logger),
            metrics: HTTPMetrics(registry: registry),
            logger: logger
        )
        let app = try ApplicationBuilder.application(dependencies: dependencies, logger: logger)
        logger.info("serving", metadata: ["address": "\(configuration.host):\(configuration.port)"])
        try await app.runService()
    }
}
