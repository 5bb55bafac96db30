import App
import AudioAnalysis
import Catalogs
import Core
import Database
import Foundation
import Logging
import MusicTheory
import NIOCore
import QueryParsing
import Redis
import Search
import Stores

/// The search endpoints' work: validation, the response cache, the pipeline, the `searches` row.
public struct SearchService: Sendable {
    public let pipeline: SearchPipeline
    let tracks: TrackStore
    let library: LocalLibrary?
    let answers: RedisBlobCache
    let database: Database
    let logger: Logger
    /// What a search asks when it names no catalogue.
    public let defaultSources: Set<CatalogSource>
    /// How long the same query, sources and limit are answered from the cache.
    public var cacheTTL: Duration = .seconds(600)
    /// How long a search without a deadline of its own waits for tags (`SEARCH_TAG_PATIENCE_MS`).
    public var tagPatience: Duration = SearchPipeline.defaultTagPatience
    /// Cached answers kept in this process too, briefly (5 s), so the hottest ones skip Redis; kept as
    /// ready-made response bodies, so a cache hit is sent without copying them.
    let localAnswers = LRUCache<ByteBuffer>(capacity: 256, ttl: .seconds(5))

    public init(
        pipeline: SearchPipeline, tracks: TrackStore, library: LocalLibrary?, redis: RedisClient, database: Database,
        defaultSources: Set<CatalogSource>, logger: Logger
    ) {
        self.pipeline = pipeline
        self.tracks = tracks
        self.library = library
        self.answers = RedisBlobCache(redis: redis, prefix: "mf:search:", logger: logger)
        self.database = database
        self.defaultSources = defaultSources
        self.logger = logger
    }

    public static let deadlineLimits = 100...30_000

    /// A search as the API takes it, checked: every route and the cache middleware go through here, so
    /// none answers a search the others would refuse.
    public struct Parameters: Sendable {
        public var query: String
        public var limit: Int
        public var sources: Set<CatalogSource>
        public var deadlineMS: Int?
        /// The response cache's key: the normalised query, the sources and the limit.
        public var cacheKey: String
    }

    /// Checks a search's parameters (`limit` 20 and the default sources when absent).
    public func parameters(query: String, limit: Int?, sources: Set<CatalogSource>?, deadlineMS: Int?) throws -> Parameters {
        try QueryParser.validate(query)
        let limit = limit ?? 20
        guard (1...SearchPipeline.maxLimit).contains(limit) else {
            throw APIError.invalidRequest("`limit` must be from 1 to \(SearchPipeline.maxLimit).", details: ["field": "limit"])
        }
        if let deadlineMS, !Self.deadlineLimits.contains(deadlineMS) {
            throw APIError.invalidRequest("`deadline_ms` must be from 100 to 30000.", details: ["field": "deadline_ms"])
        }
        let chosen = sources ?? defaultSources
        return Parameters(
            query: query, limit: limit, sources: chosen, deadlineMS: deadlineMS,
            cacheKey: cacheKey(query: query, limit: limit, sources: chosen))
    }

    /// Searches, or answers from the cache.
    public func search(query: String, limit: Int?, sources: Set<CatalogSource>?, deadlineMS: Int?) async throws -> SearchResponse {
        let checked = try parameters(query: query, limit: limit, sources: sources, deadlineMS: deadlineMS)
        let (limit, chosen, cacheKey) = (checked.limit, checked.sources, checked.cacheKey)
        if let body = await cachedAnswer(forKey: cacheKey),
            let cached = try? JSONDecoder().decode(SearchResponse.self, from: Data(body.readableBytesView))
        {
            RequestScope.current?.cacheHit = true
            return cached
        }

        let response = try await pipeline.search(
            .init(
                query: query, limit: limit, sources: chosen,
                deadline: deadlineMS.map { .milliseconds($0) } ?? SearchPipeline.defaultDeadline,
                // A client that names its deadline waits for the tags until then; one that does not
                // gets the measures fast and the tags with the next search.
                tagPatience: deadlineMS == nil ? tagPatience : nil))
        // Only complete answers are cached: a pending analysis or tag, or a failed catalogue, may do
        // better soon.
        let complete =
            !response.results.contains { $0.pending || $0.analysis?.tagsPending == true }
            && !response.sources.contains { $0.status == .error }
        var stored = response
        stored.cached = true
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if complete, let body = try? encoder.encode(stored) {
            await answers.store([UInt8](body), forKey: cacheKey, ttl: cacheTTL)
        }
        await record(response)
        return response
    }

    /// The response cache's key: the normalised query, the sources and the limit.
    public func cacheKey(query: String, limit: Int, sources: Set<CatalogSource>) -> String {
        let normalized = RuleParser.normalize(query)
        return "\(normalized)|\(sources.map(\.rawValue).sorted().joined(separator: ","))|\(limit)"
    }

    /// A cached answer's JSON (with `"cached": true`), from this process or Redis.
    public func cachedAnswer(forKey key: String) async -> ByteBuffer? {
        if let body = localAnswers.value(forKey: key) { return body }
        guard let bytes = await answers.bytes(forKey: key) else { return nil }
        let body = ByteBuffer(bytes: bytes)
        localAnswers.set(body, forKey: key)
        return body
    }

    /// A track some search has analysed: a catalogue's from `tracks`, a local file's from the library.
    public func track(id: String) async throws -> TrackDetail {
        if id.hasPrefix("local:"), let library {
            let path = String(id.dropFirst("local:".count))
            if let track = await library.track(at: path), let analysis = track.record?.analysis {
                let candidate = Candidate(
                    source: .local, externalID: path, title: track.title, artist: track.record?.metadata?.artist,
                    durationSeconds: analysis.durationSeconds, audio: .file(path: library.root + "/" + path), tags: track.tags)
                return TrackDetail(track: SearchResponse.Track(candidate, analysis: analysis), analysis: analysis)
            }
        } else if let (candidate, analysis) = try await tracks.track(id: id) {
            return TrackDetail(track: SearchResponse.Track(candidate, analysis: analysis), analysis: analysis)
        }
        throw APIError.notFound("No analysed track has the id \(id).")
    }

    /// Tracks close to a reference: a track some search analysed, or audio by URL or upload.
    ///
    /// Candidates come from the catalogues asked with the reference's genres (the local library
    /// included), from the stored tracks nearest in sound (a GiST KNN search) and near its tempo;
    /// the reference itself is left out. They rank by sound as well as tempo, key and energy.
    public func similar(
        trackID: String?, url: String?, upload: [UInt8]?, limit: Int?, analyze: (String?, [UInt8]?) async throws -> Analysis
    ) async throws -> SimilarResponse {
        let limit = limit ?? 20
        guard (1...SearchPipeline.maxLimit).contains(limit) else {
            throw APIError.invalidRequest("`limit` must be from 1 to \(SearchPipeline.maxLimit).", details: ["field": "limit"])
        }
        let started = ContinuousClock.now
        let reference: SimilarResponse.QueryTrack
        switch (trackID, url, upload) {
        case (let id?, nil, nil):
            let detail = try await track(id: id)
            reference = .init(track: detail.track, analysis: detail.analysis)
        case (nil, let url?, nil):
            reference = .init(track: nil, analysis: try await analyze(url, nil))
        case (nil, nil, let bytes?):
            reference = .init(track: nil, analysis: try await analyze(nil, bytes))
        default:
            throw APIError.invalidRequest("Give exactly one of `track_id`, `url` and an uploaded `file`.")
        }
        let filters = Filters.similar(to: reference.analysis, tags: reference.track?.tags ?? [])
        var extra: [Candidate] = []
        if let sound = reference.analysis.sound { extra += await tracks.near(sound: sound) }
        if let bpm = reference.analysis.bpm { extra += await tracks.near(bpm: bpm) }
        let response = await pipeline.search(
            filters: filters, request: .init(query: "", limit: limit, sources: defaultSources), started: started, extra: extra,
            excluded: Set([reference.track?.id].compactMap { $0 }), like: reference.analysis)
        return SimilarResponse(queryTrack: reference, results: response.results, timingMS: response.timingMS)
    }

    /// The `searches` row: query, filters, result ids and timing.
    private func record(_ response: SearchResponse) async {
        let encoder = JSONEncoder()
        let filters = String(decoding: (try? encoder.encode(response.filters)) ?? Data("{}".utf8), as: UTF8.self)
        let timing = String(decoding: (try? encoder.encode(response.timingMS)) ?? Data("{}".utf8), as: UTF8.self)
        let accountID = RequestScope.current?.principal?.accountID
        do {
            try await database.client.query(
                """
                INSERT INTO searches (id, account_id, query, filters, result_ids, timing)
                VALUES (\(response.searchID), \(accountID), \(response.query), \(filters)::jsonb, \(response.results.map(\.track.id)),
                        \(timing)::jsonb)
                """,
                logger: logger)
        } catch {
            logger.warning(
                "searches row not written", metadata: ["search_id": "\(response.searchID)", "error": "\(String(reflecting: error))"])
        }
    }
}
