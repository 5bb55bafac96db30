import Accounts
import AnalysisWorkers
import AudioAnalysis
import Catalogs
import Database
import Logging
import Prometheus
import QueryParsing
import Redis
import Search

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
        self.analysis = AnalysisPoolService.pool(workers: configuration.analysisWorkers, executable: configuration.analysisExecutable)
        self.parser = QueryParser(llm: llm, store: RedisFiltersStore(redis: redis, logger: logger), logger: logger)
        let library = configuration.libraryPath.map { LocalLibrary(root: $0, store: PostgresLibraryIndex(database: database)) }
        let tracks = TrackStore(database: database, redis: redis, logger: logger)
        let analyzer = CandidateAnalyzer(
            pool: analysis, store: tracks, claim: RedisAnalysisClaim(redis: redis),
            library: library, downloader: AudioDownloader(allowPrivateAddresses: configuration.allowPrivateURLs),
            youtube: YTDLPFetcher(program: configuration.ytdlpPath))
        let pipeline = SearchPipeline(
            parser: parser,
            catalogs: CatalogSearch(
                providers: configuration.catalogProviders(
                    library: library, cache: RedisBlobCache(redis: redis, prefix: "mf:provider:", logger: logger))),
            analyzer: analyzer, ranker: Ranker(weights: configuration.rankingWeights))
        self.search = SearchService(
            pipeline: pipeline, tracks: tracks, library: library, redis: redis, database: database,
            defaultSources: configuration.defaultSources(hasLibrary: library != nil),
            logger: logger)
        self.search.tagPatience = configuration.searchTagPatience
    }
}
