import Accounts
import AnalysisWorkers
import App
import AudioAnalysis
import Catalogs
import Database
import Logging
import Prometheus
import QueryParsing
import Redis
import Search
import Stores

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
    /// Search: catalogues, analyses (cached in PostgreSQL and Redis), ranking, the response cache.
    public var search: SearchService
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
        let tracks = TrackStore(database: database, redis: redis, logger: logger)
        let stack = SearchStack(
            configuration: configuration, stores: .shared(database: database, redis: redis, tracks: tracks), llm: llm,
            libraryPath: configuration.libraryPath, logger: logger)
        self.analysis = stack.pool
        self.parser = stack.parser
        let library = stack.library
        let pipeline = stack.pipeline
        self.search = SearchService(
            pipeline: pipeline, tracks: tracks, library: library, redis: redis, database: database,
            defaultSources: configuration.defaultSources(hasLibrary: library != nil),
            logger: logger)
        self.search.tagPatience = configuration.searchTagPatience
    }
}
