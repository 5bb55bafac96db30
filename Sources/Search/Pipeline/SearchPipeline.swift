import AudioAnalysis
import Catalogs
import Foundation
import QueryParsing

/// Free text in, ranked tracks out: parse, ask the catalogues at once, analyse the candidates
/// through the worker pool (cached and single-flight), rank, answer, all under one deadline.
///
/// Past the deadline the answer holds what is analysed, ranked, and the rest marked `pending`,
/// ranked on their words alone; their analyses go on in the background and warm the cache.
public struct SearchPipeline: Sendable {
    public let parser: QueryParser
    public let catalogs: CatalogSearch
    public let analyzer: CandidateAnalyzer
    public let ranker: Ranker
    /// Candidates asked of each catalogue.
    public let candidatesPerSource: Int

    public static let defaultDeadline: Duration = .seconds(8)
    public static let maxLimit = 100

    public init(
        parser: QueryParser, catalogs: CatalogSearch, analyzer: CandidateAnalyzer, ranker: Ranker = Ranker(),
        candidatesPerSource: Int = 50
    ) {
        self.parser = parser
        self.catalogs = catalogs
        self.analyzer = analyzer
        self.ranker = ranker
        self.candidatesPerSource = candidatesPerSource
    }

    public struct Request: Sendable {
        public var query: String
        public var limit: Int
        /// Nil: every configured catalogue.
        public var sources: Set<CatalogSource>?
        public var deadline: Duration

        public init(query: String, limit: Int = 20, sources: Set<CatalogSource>? = nil, deadline: Duration = SearchPipeline.defaultDeadline)
        {
            self.query = query
            self.limit = limit
            self.sources = sources
            self.deadline = deadline
        }
    }

    public func search(_ request: Request) async throws(QueryParsingError) -> SearchResponse {
        let start = ContinuousClock.now
        let filters = try await parser.parse(request.query)
        return await search(filters: filters, request: request, started: start)
    }

    /// Searches for `filters` as they are (`/v1/similar` builds them from a track), with `extra`
    /// candidates besides the catalogues' and without those in `excluded`; with a `reference`, ranks
    /// by how alike the candidates sound to it as well.
    public func search(
        filters: Filters, request: Request, started start: ContinuousClock.Instant = .now, extra: [Candidate] = [],
        excluded: Set<String> = [], like reference: Analysis? = nil
    ) async -> SearchResponse {
        let clock = ContinuousClock()
        let deadline = start + request.deadline
        var timing: [String: Double] = ["parse": Self.milliseconds(clock.now - start)]
        func mark(_ stage: String, since: ContinuousClock.Instant) { timing[stage] = Self.milliseconds(clock.now - since) }

        // The catalogues get at most half the time left: the analyses need the rest.
        let catalogStart = clock.now
        let catalogDeadline = min(deadline, catalogStart + (deadline - catalogStart) / 2)
        let found = await catalogs.search(filters, limit: candidatesPerSource, sources: request.sources, deadline: catalogDeadline)
        var seen = excluded
        let candidates = (found.candidates + extra).filter { seen.insert($0.id).inserted }
        mark("catalogs", since: catalogStart)

        let analyseStart = clock.now
        let analyses = await analyse(candidates, until: deadline)
        mark("analyze", since: analyseStart)

        let rankStart = clock.now
        let ranked = ranker.rank(candidates.map { ($0, analyses[$0.id]) }, for: filters, like: reference)
        // Analysed tracks first; pending ones after, by their words.
        let ordered = ranked.filter { $0.analysis != nil } + ranked.filter { $0.analysis == nil }
        let items = ordered.prefix(max(1, min(request.limit, Self.maxLimit))).enumerated().map { index, track in
            // The sound vector stays out of result lists (100 numbers a result): GET /v1/tracks/{id} has it.
            var shown = track.analysis
            shown?.sound = nil
            return SearchResponse.Item(
                rank: index + 1, score: track.score, track: SearchResponse.Track(track.candidate, analysis: track.analysis),
                analysis: shown, distance: track.distance, explanation: track.explanation,
                status: track.analysis == nil ? .pending : .analysed)
        }
        mark("rank", since: rankStart)
        mark("total", since: start)
        return SearchResponse(
            searchID: "srch_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24),
            query: request.query, filters: filters, results: items, sources: found.outcomes, timingMS: timing, cached: false)
    }

    /// The analyses that finish before `deadline`; the rest keep running.
    func analyse(_ candidates: [Candidate], until deadline: ContinuousClock.Instant) async -> [String: Analysis] {
        guard !candidates.isEmpty else { return [:] }
        let (stream, continuation) = AsyncStream.makeStream(of: (String, Analysis?).self)
        let analyzer = analyzer
        for candidate in candidates {
            // Unstructured on purpose: an analysis outlives a search that stops waiting for it.
            Task {
                let result = await analyzer.analysis(of: candidate)
                continuation.yield((candidate.id, try? result.get()))
            }
        }
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            continuation.finish()
        }
        var analyses: [String: Analysis] = [:]
        var answered = 0
        for await (id, analysis) in stream {
            answered += 1
            if let analysis { analyses[id] = analysis }
            if answered == candidates.count { break }
        }
        timer.cancel()
        continuation.finish()
        return analyses
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 10).rounded() / 10
    }
}
