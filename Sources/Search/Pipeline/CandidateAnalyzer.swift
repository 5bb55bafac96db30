import AnalysisWorkers
import AudioAnalysis
import Catalogs
import Synchronization

/// Where analyses of catalogue tracks are kept, by track id (`source:external_id`) and engine
/// version: PostgreSQL and Redis in the server, memory for the command line.
public protocol AnalysisStore: Sendable {
    func analysis(of trackID: String, version: Int) async -> Analysis?
    func store(_ analysis: Analysis, of candidate: Candidate) async
}

/// Makes sure that only one instance analyses a track at a time (a Redis lock in the server).
public protocol AnalysisClaim: Sendable {
    /// True when this instance may analyse `trackID` now; false when another holds it.
    func claim(_ trackID: String, for duration: Duration) async -> Bool
    func release(_ trackID: String) async
}

/// Why a candidate has no analysis.
public struct AnalysisFailure: Error, Sendable, Hashable {
    public var code: String
    public var message: String
}

/// Analyses candidates through the worker pool, once each: a stored analysis is reused, concurrent
/// requests for one track (on this instance) share one job, and with an ``AnalysisClaim`` another
/// instance's job in progress is waited for instead of repeated.
public final class CandidateAnalyzer: Sendable {
    let pool: AnalysisPool
    let store: (any AnalysisStore)?
    let claim: (any AnalysisClaim)?
    let library: LocalLibrary?
    public let downloader: AudioDownloader
    let youtube: YTDLPFetcher
    private let inFlight = Mutex<[String: Flight]>([:])
    private let jobs = Atomic(0)

    public init(
        pool: AnalysisPool, store: (any AnalysisStore)?, claim: (any AnalysisClaim)? = nil, library: LocalLibrary?,
        downloader: AudioDownloader, youtube: YTDLPFetcher
    ) {
        self.pool = pool
        self.store = store
        self.claim = claim
        self.library = library
        self.downloader = downloader
        self.youtube = youtube
    }

    /// Analyses run by this instance so far (cache hits excluded).
    public var analysesRun: Int { jobs.load(ordering: .relaxed) }

    /// The analysis of `candidate`, waiting for it. The work goes on if the caller stops waiting, so
    /// it warms the cache for the next search.
    ///
    /// With `measured`, a new job hears the tags last (`AnalysisPool.analyze(path:measured:)`), and
    /// `measured` is handed the DSP measures (`Analysis.tagsPending`) as soon as they are made, or at
    /// once when a job in progress has them already. A stored analysis is whole and skips it.
    public func analysis(of candidate: Candidate, measured: (@Sendable (Analysis) -> Void)? = nil) async
        -> Result<Analysis, AnalysisFailure>
    {
        if let known = await cached(candidate) { return known }
        let flight = inFlight.withLock { flights in
            if let running = flights[candidate.id] { return running }
            let flight = Flight(defersTags: measured != nil)
            flight.task = Task { await self.analyse(candidate, flight: flight) }
            flights[candidate.id] = flight
            return flight
        }
        if let measured { flight.listen(measured) }
        return await flight.result
    }

    /// A stored result: an analysis, or (for a local file, until it changes) why it could not be made.
    private func cached(_ candidate: Candidate) async -> Result<Analysis, AnalysisFailure>? {
        if candidate.source == .local, let library {
            guard let record = await library.currentRecord(of: candidate.externalID) else { return nil }
            if let analysis = record.analysis { return .success(analysis) }
            return record.failure.map { .failure(AnalysisFailure(code: "ANALYSIS_FAILED", message: $0)) }
        }
        return await store?.analysis(of: candidate.id, version: Analysis.currentVersion).map { .success($0) }
    }

    private func analyse(_ candidate: Candidate, flight: Flight) async -> Result<Analysis, AnalysisFailure> {
        defer { _ = inFlight.withLock { $0.removeValue(forKey: candidate.id) } }
        // Another instance may be on it: wait for its result rather than repeat the work.
        var claimed = false
        if let claim, candidate.source != .local {
            for _ in 0..<60 {
                if await claim.claim(candidate.id, for: .seconds(60)) {
                    claimed = true
                    break
                }
                try? await Task.sleep(for: .milliseconds(250))
                if let known = await cached(candidate) { return known }
            }
        }
        defer {
            if claimed, let claim { Task { await claim.release(candidate.id) } }
        }
        // Checked again: another instance may have finished just before the claim came free, and a job
        // of this one may have stored it between the caller's look and this task's start.
        if let known = await cached(candidate) { return known }

        let report: AnalysisReport
        var measured: (@Sendable (AnalysisReport) -> Void)?
        if flight.defersTags {
            measured = { @Sendable report in
                if let analysis = report.analysis { flight.measured(analysis) }
            }
        }
        do {
            jobs.add(1, ordering: .relaxed)
            switch candidate.audio {
            case .file(let path): report = try await pool.analyze(path: path, measured: measured)
            case .url(let url): report = try await pool.analyze(bytes: try await downloader.download(url), measured: measured)
            case .youtube(let id):
                report = try await pool.analyze(bytes: try await youtube.fetch(videoID: id), measured: measured)
            case .unavailable: return .failure(AnalysisFailure(code: "NO_AUDIO", message: "The catalogue offers no audio for this track."))
            }
        } catch let error as AnalysisError {
            // A local file that does not decode stays that way until it changes: remembered, not retried.
            if case .decoding = error, candidate.source == .local, let library {
                await library.remember(failure: error.description, of: candidate.externalID)
            }
            return .failure(AnalysisFailure(code: error.code, message: error.description))
        } catch let error as DownloadError {
            return .failure(AnalysisFailure(code: error.code, message: error.description))
        } catch {
            return .failure(AnalysisFailure(code: "INTERNAL", message: "\(error)"))
        }
        guard let analysis = report.analysis else { return .failure(AnalysisFailure(code: "INTERNAL", message: "no analysis")) }
        if candidate.source == .local, let library {
            await library.remember(analysis, metadata: report.metadata, of: candidate.externalID)
        } else {
            await store?.store(analysis, of: candidate)
        }
        return .success(analysis)
    }
}

/// One analysis in progress: the task that makes it, shared by every caller, and its DSP measures
/// once the worker has them with the tags still to come.
final class Flight: @unchecked Sendable {
    // @unchecked: `task` is set once, under `inFlight`'s lock, before any other caller sees the flight;
    // `measures` has its own lock.
    var task: Task<Result<Analysis, AnalysisFailure>, Never>?
    let defersTags: Bool
    private let measures = Mutex<(analysis: Analysis?, listeners: [@Sendable (Analysis) -> Void])>((nil, []))

    init(defersTags: Bool) { self.defersTags = defersTags }

    var result: Result<Analysis, AnalysisFailure> {
        get async { await task!.value }
    }

    /// The measures are made: tells those listening, and any who listen later.
    func measured(_ analysis: Analysis) {
        let listeners = measures.withLock { state in
            state.analysis = analysis
            defer { state.listeners = [] }
            return state.listeners
        }
        for listener in listeners { listener(analysis) }
    }

    func listen(_ listener: @escaping @Sendable (Analysis) -> Void) {
        let known = measures.withLock { state in
            if state.analysis == nil { state.listeners.append(listener) }
            return state.analysis
        }
        if let known { listener(known) }
    }
}

/// Analyses kept in this process only (the command line).
public final class MemoryAnalysisStore: AnalysisStore {
    private let entries = Mutex<[String: Analysis]>([:])

    public init() {}

    public func analysis(of trackID: String, version: Int) async -> Analysis? {
        entries.withLock { $0[trackID] }.flatMap { $0.analysisVersion == version ? $0 : nil }
    }

    public func store(_ analysis: Analysis, of candidate: Candidate) async {
        entries.withLock { $0[candidate.id] = analysis }
    }
}
