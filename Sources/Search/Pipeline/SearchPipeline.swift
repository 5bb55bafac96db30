import AudioAnalysis
import Catalogs
import Core
import Foundation
import QueryParsing

/// Free text in, ranked tracks out: parse, ask the catalogues at once, analyse the candidates
/// through the worker pool (cached and single-flight), rank, answer, all under one deadline.
///
/// Past the deadline the answer holds what is analysed, ranked, and the rest marked `pending`,
/// ranked on their words alone; their analyses go on in the background and warm the cache.
///
/// Tags cost most of an analysis. With a `Request.tagPatience`, a search waits for them only that
/// long: past it, it answers as soon as every candidate has its DSP measures, the tags of those not
/// yet heard marked `tags_pending`; they are heard in the background for the next search.
public struct SearchPipeline: Sendable {
    public let parser: QueryParser
    public let catalogs: CatalogSearch
    public let analyzer: CandidateAnalyzer
    public let ranker: Ranker
    /// Candidates asked of each catalogue.
    public let candidatesPerSource: Int

    public static let defaultDeadline: Duration = .seconds(8)
    /// How long a search that names no deadline waits for tags.
    public static let defaultTagPatience: Duration = .seconds(2)
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
        /// How long after its start the search waits for tags (nil: until the deadline, as the command
        /// line does, whose process ends with the answer).
        public var tagPatience: Duration?

        public init(
            query: String, limit: Int = 20, sources: Set<CatalogSource>? = nil, deadline: Duration = SearchPipeline.defaultDeadline,
            tagPatience: Duration? = nil
        ) {
            self.query = query
            self.limit = limit
            self.sources = sources
            self.deadline = deadline
            self.tagPatience = tagPatience
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
        let analyses = await analyse(candidates, started: start, until: deadline, tagPatience: request.tagPatience)
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

    /// The analyses that finish before `deadline`, and past `tagPatience` the DSP measures of those
    /// still being tagged; the rest keep running.
    func analyse(
        _ candidates: [Candidate], started: ContinuousClock.Instant, until deadline: ContinuousClock.Instant, tagPatience: Duration?
    ) async -> [String: Analysis] {
        guard !candidates.isEmpty else { return [:] }
        enum Event {
            case measured(String, Analysis)
            case finished(String, Analysis?)
            case patienceOver
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        let analyzer = analyzer
        let patient = tagPatience != nil
        for candidate in candidates {
            // Unstructured on purpose: an analysis outlives a search that stops waiting for it.
            var measured: (@Sendable (Analysis) -> Void)?
            if patient {
                measured = { @Sendable analysis in _ = continuation.yield(.measured(candidate.id, analysis)) }
            }
            Task { [measured] in
                let result = await analyzer.analysis(of: candidate, measured: measured)
                continuation.yield(.finished(candidate.id, try? result.get()))
            }
        }
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            continuation.finish()
        }
        let patience = tagPatience.map { patience in
            Task {
                try? await Task.sleep(until: started + patience, clock: .continuous)
                continuation.yield(.patienceOver)
            }
        }
        var analyses: [String: Analysis] = [:]
        var measures: [String: Analysis] = [:]
        var answered = Set<String>()
        var waitingForTags = true
        for await event in stream {
            switch event {
            case .measured(let id, let analysis): measures[id] = analysis
            case .finished(let id, let analysis):
                answered.insert(id)
                if let analysis { analyses[id] = analysis }
            case .patienceOver: waitingForTags = false
            }
            if answered.count == candidates.count { break }
            if !waitingForTags, candidates.allSatisfy({ answered.contains($0.id) || measures[$0.id] != nil }) { break }
        }
        timer.cancel()
        patience?.cancel()
        continuation.finish()
        return analyses.merging(measures) { whole, _ in whole }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 10).rounded() / 10
    }
}
