import AudioAnalysis
import Logging
import Prometheus
import QueryParsing

/// What the HTTP layer needs, built once at start and passed down: no globals.
public struct AppDependencies: Sendable {
    public var configuration: AppConfiguration
    public var database: Database
    public var redis: RedisClient
    public var keys: KeyStore
    public var verifier: KeyVerifier
    public var revocations: KeyRevocations
    public var limiter: RateLimiter
    public var usage: UsageStore
    public var recorder: UsageRecorder
    public var metrics: HTTPMetrics
    /// Set when SIGTERM arrives; readiness then answers 503.
    public var drain = DrainState()
    /// The analysis workers (started on first use): the server never decodes audio itself.
    public var analysis: AnalysisPool
    /// Queries to filters: the LLM when configured, the rules always; answers cached in Redis.
    public var parser: QueryParser
    /// How long a rotated key keeps working.
    public var rotationGrace: Duration = .seconds(86_400)

    public init(
        configuration: AppConfiguration, database: Database, redis: RedisClient, metrics: HTTPMetrics,
        usageStream: String = UsageRecorder.defaultStream, llm: QueryParser.LLM? = nil, logger: Logger
    ) {
        self.configuration = configuration
        self.database = database
        self.redis = redis
        self.keys = KeyStore(database: database)
        self.verifier = KeyVerifier(store: keys, logger: logger)
        self.revocations = KeyRevocations(redis: redis, verifier: verifier, logger: logger)
        self.limiter = RateLimiter(
            redis: redis, policy: configuration.rateLimitPolicy, failurePolicy: configuration.rateLimitFailure, logger: logger,
            registry: metrics.registry)
        self.usage = UsageStore(database: database)
        self.recorder = UsageRecorder(redis: redis, store: usage, stream: usageStream, logger: logger)
        self.metrics = metrics
        self.analysis = AnalysisPoolService.pool(workers: configuration.analysisWorkers)
        self.parser = QueryParser(llm: llm, store: RedisFiltersStore(redis: redis, logger: logger), logger: logger)
    }
}
