import App
import Database
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Prometheus
import Redis
import ServiceLifecycle

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

    /// How long in-flight requests, the usage drain and the other services get to finish after SIGTERM
    /// before they are cancelled.
    public static let drainBound: Duration = .seconds(30)

    /// Makes Swift Concurrency run its jobs on SwiftNIO's event loops rather than on a pool of its own.
    ///
    /// A request then stays on its connection's thread from the socket through the middleware and the
    /// handler, where it would otherwise hop to the concurrency pool and back at every `await` that
    /// touches the channel. Heavy work never runs in the server process (analysis is in worker
    /// processes), so nothing blocks a loop for long. Call once, before the server starts.
    /// - Returns: false when it could not be done (another executor was installed first).
    public static func runTasksOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
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
        let llm = try configuration.makeLLM()
        if let llm {
            logger.info(
                "query parsing through an LLM, rules as fallback",
                metadata: ["provider": "\(llm.provider.name)", "model": "\(llm.provider.model)", "prompt": "\(llm.prompt.version)"])
        }
        let dependencies = AppDependencies(
            configuration: configuration,
            database: Database(settings: databaseSettings, logger: logger),
            redis: RedisClient(settings: redisSettings, logger: logger),
            metrics: HTTPMetrics(registry: registry),
            llm: llm,
            logger: logger
        )
        let app = try ApplicationBuilder.application(dependencies: dependencies, logger: logger)
        logger.info("serving", metadata: ["address": "\(configuration.host):\(configuration.port)"])
        // Our own group rather than `app.runService()`, so that the drain flag is raised before the
        // server stops taking connections, and in-flight work is bounded.
        var group = ServiceGroupConfiguration(
            services: [.init(service: app), .init(service: DrainSignal(state: dependencies.drain))],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = Self.drainBound
        try await ServiceGroup(configuration: group).run()
    }
}
