import AnalysisWorkers
import AudioAnalysis
import Catalogs
import Database
import Logging
import QueryParsing
import Redis
import Search
import Stores

/// The one place a search is put together, for `serve` and the command line alike: the analysis pool,
/// the library, the parser, the catalogues, the candidate analyser and the ranking, all from the
/// configuration. What differs between the two is only where what a search learns is kept (`Stores`).
public struct SearchStack: Sendable {
    /// Where parsed filters, provider answers, analyses and the library's index are kept.
    public enum Stores: Sendable {
        /// Redis and PostgreSQL, shared by every instance: the server, whose track store keeps the analyses.
        case shared(database: Database, redis: RedisClient, tracks: TrackStore)
        /// This process's memory, and the library's own `.musicforge-index.json`: the command line.
        case inProcess
    }

    /// Which catalogues a search may ask.
    public enum Catalogues: Sendable {
        /// Every configured provider, and the library when there is one.
        case configured
        /// The library alone (`similar` on the command line).
        case libraryOnly
    }

    /// The analysis workers: the server never decodes audio itself.
    public let pool: AnalysisPool
    public let library: LocalLibrary?
    public let parser: QueryParser
    public let pipeline: SearchPipeline

    public init(
        configuration: AppConfiguration, stores: Stores, llm: QueryParser.LLM?, libraryPath: String?,
        catalogues: Catalogues = .configured, candidatesPerSource: Int = 50, logger: Logger
    ) {
        // `ANALYSIS_WORKERS` processes of this very program (`musicforge worker`), or of the executable
        // the configuration names (tests, which run inside another program).
        let executable = configuration.analysisExecutable ?? AnalysisPoolConfiguration.thisProgram
        let libraryIndex: any LibraryIndexStore
        let responses: any ResponseCache
        let analyses: any AnalysisStore
        let claim: (any AnalysisClaim)?
        let filters: (any FiltersStore)?
        switch stores {
        case .shared(let database, let redis, let tracks):
            pool = AnalysisPool(configuration: AnalysisPoolConfiguration(executable: executable, workers: configuration.analysisWorkers))
            libraryIndex = PostgresLibraryIndex(database: database)
            responses = RedisBlobCache(redis: redis, prefix: "mf:provider:", logger: logger)
            analyses = tracks
            claim = RedisAnalysisClaim(redis: redis)
            filters = RedisFiltersStore(redis: redis, logger: logger)
        case .inProcess:
            // One command queues everything it has at once.
            pool = AnalysisPool(
                configuration: AnalysisPoolConfiguration(executable: executable, workers: configuration.analysisWorkers, queueCapacity: 1_000))
            libraryIndex = LibraryIndexFile()
            responses = MemoryResponseCache()
            analyses = MemoryAnalysisStore()
            claim = nil
            filters = nil
        }
        let library = libraryPath.map { LocalLibrary(root: $0, store: libraryIndex) }
        self.library = library
        parser = QueryParser(llm: llm, store: filters, logger: logger)
        let providers: [any CatalogProvider] =
            switch catalogues {
            case .configured: configuration.catalogProviders(library: library, cache: responses)
            case .libraryOnly: library.map { [LocalLibraryProvider(library: $0)] } ?? []
            }
        let analyzer = CandidateAnalyzer(
            pool: pool, store: analyses, claim: claim, library: library,
            downloader: AudioDownloader(allowPrivateAddresses: configuration.allowPrivateURLs),
            youtube: YTDLPFetcher(program: configuration.ytdlpPath))
        pipeline = SearchPipeline(
            parser: parser, catalogs: CatalogSearch(providers: providers), analyzer: analyzer,
            ranker: Ranker(weights: configuration.rankingWeights), candidatesPerSource: candidatesPerSource)
    }
}
