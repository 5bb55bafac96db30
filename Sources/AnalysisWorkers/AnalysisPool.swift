import AudioAnalysis
import Foundation
import Synchronization

/// Settings of an `AnalysisPool`.
public struct AnalysisPoolConfiguration: Sendable {
    /// The path of the running program, whose `worker` command the pool starts (the server and the CLI
    /// are the same `musicforge` binary).
    public static var thisProgram: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The program each worker runs, and its arguments (`musicforge worker`).
    public var executable: String
    public var arguments: [String]
    /// Worker processes, each analysing one job at a time (`ANALYSIS_WORKERS`).
    public var workers: Int
    /// Jobs that may wait for a worker; one more is refused with `AnalysisError.queueFull`.
    public var queueCapacity: Int
    /// A job still running after this is abandoned and its worker killed and replaced.
    public var jobTimeout: Duration

    public init(
        executable: String, arguments: [String] = ["worker"], workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        queueCapacity: Int? = nil, jobTimeout: Duration = .seconds(30)
    ) {
        self.executable = executable
        self.arguments = arguments
        self.workers = max(1, workers)
        self.queueCapacity = queueCapacity ?? max(1, workers) * 16
        self.jobTimeout = jobTimeout
    }
}

/// Why a job gave no analysis.
public enum AnalysisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input could not be decoded: `code` is one of `DecodingError`'s codes.
    case decoding(code: String, message: String)
    /// Every worker is busy and the queue is full; try again after the given seconds.
    case queueFull(retryAfterSeconds: Int)
    /// The worker died while analysing this input (a decoder crash, or it was killed).
    case workerCrashed(String)
    /// The job took longer than the pool's timeout; its worker was killed.
    case timedOut(seconds: Double)
    /// The pool is shutting down or could not start a worker.
    case unavailable(String)

    public var code: String {
        switch self {
        case .decoding(let code, _): code
        case .queueFull, .unavailable: "UNAVAILABLE"
        case .workerCrashed: "ANALYSIS_FAILED"
        case .timedOut: "TIMEOUT"
        }
    }

    public var description: String {
        switch self {
        case .decoding(_, let message): message
        case .queueFull(let seconds): "All analysis workers are busy; try again in \(seconds) seconds."
        case .workerCrashed(let how): "The analysis worker stopped while analysing this input (\(how))."
        case .timedOut(let seconds): "The analysis took longer than \(Int(seconds)) seconds and was stopped."
        case .unavailable(let why): "Analysis is unavailable: \(why)."
        }
    }
}

/// The result of one job.
public struct AnalysisReport: Sendable {
    /// Nil only for decode-only jobs.
    public var analysis: Analysis?
    /// The container's tags (title, artist, genre, comment).
    public var metadata: AudioMetadata = AudioMetadata()
    /// CPU time the worker spent.
    public var timing: AnalysisTiming
    /// The worker's peak resident memory after the job, in MiB.
    public var peakRSSMiB: Double
}

/// A pool of `musicforge worker` processes fed over pipes with length-prefixed messages.
///
/// Untrusted audio is decoded only in the workers: a decoder crash or hang costs one job, after which
/// the worker is replaced. Each worker is driven by one thread of the pool's own (the pipes block), so
/// no blocking call runs on Swift's cooperative pool. Jobs wait in a bounded queue; when it is full a
/// caller is refused at once rather than kept waiting.
public final class AnalysisPool: Sendable {
    public let configuration: AnalysisPoolConfiguration
    private let queue: JobQueue

    private let started = Mutex(false)

    /// A pool that starts its threads and workers on first use (and a worker again after each failure),
    /// so a process that never analyses anything never spawns one.
    public init(configuration: AnalysisPoolConfiguration) {
        self.configuration = configuration
        queue = JobQueue(capacity: configuration.queueCapacity)
    }

    private func startIfNeeded() {
        started.withLock { started in
            guard !started else { return }
            started = true
            // A worker that dies leaves a pipe whose write raises SIGPIPE; the failed write is handled.
            signal(SIGPIPE, SIG_IGN)
            for slot in 0..<configuration.workers {
                let thread = Thread { [queue, configuration] in
                    WorkerSlot(configuration: configuration, queue: queue).run()
                }
                thread.name = "mf-analysis-\(slot)"
                thread.start()
            }
        }
    }

    /// Analyses the file at `path` (read by the worker).
    ///
    /// With `measured`, the tags come last: `measured` is handed the DSP measures as soon as they are
    /// made (`Analysis.tagsPending`), and the worker hears the tags when no other input waits for it,
    /// so a batch of jobs has all its measures before any of its tags. The call returns the whole
    /// analysis, tags included.
    public func analyze(
        path: String, decodeOnly: Bool = false, measured: (@Sendable (AnalysisReport) -> Void)? = nil
    ) async throws(AnalysisError) -> AnalysisReport {
        try await submit(
            WorkerRequest(job: 0, path: path, decodeOnly: decodeOnly, deferTags: measured != nil), bytes: nil, measured: measured)
    }

    /// Analyses an encoded file held in memory (an upload, a download); `measured` as for a path.
    public func analyze(bytes: [UInt8], measured: (@Sendable (AnalysisReport) -> Void)? = nil) async throws(AnalysisError)
        -> AnalysisReport
    {
        try await submit(WorkerRequest(job: 0, path: nil, deferTags: measured != nil), bytes: bytes, measured: measured)
    }

    /// Jobs waiting for a worker now.
    public var waitingJobs: Int { queue.waiting }

    /// The process ids of the running workers (for operators and tests).
    public var workerProcessIDs: [Int32] { queue.workerIDs }

    /// Refuses new jobs, fails the waiting ones, lets running jobs finish and stops the workers.
    public func shutdown() {
        queue.close()
    }

    private func submit(_ request: WorkerRequest, bytes: [UInt8]?, measured: (@Sendable (AnalysisReport) -> Void)?)
        async throws(AnalysisError) -> AnalysisReport
    {
        startIfNeeded()
        let result: Result<AnalysisReport, AnalysisError> = await withCheckedContinuation { continuation in
            let job = Job(request: request, bytes: bytes, measured: measured, finish: { continuation.resume(returning: $0) })
            if let refusal = queue.enqueue(job) { continuation.resume(returning: .failure(refusal)) }
        }
        return try result.get()
    }
}

/// One job in the queue.
struct Job: Sendable {
    var request: WorkerRequest
    var bytes: [UInt8]?
    /// Handed the measures of a job whose tags are deferred (`WorkerRequest.deferTags`).
    var measured: (@Sendable (AnalysisReport) -> Void)?
    var finish: @Sendable (Result<AnalysisReport, AnalysisError>) -> Void
}

/// The queue between callers and worker threads, and the registry of live worker ids.
final class JobQueue: @unchecked Sendable {
    // @unchecked: every field is guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var head = 0
    private var closed = false
    private var nextJob: UInt64 = 1
    private var workers: [ObjectIdentifier: Int32] = [:]
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Adds a job, or says why not.
    func enqueue(_ job: Job) -> AnalysisError? {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return .unavailable("the service is shutting down") }
        guard jobs.count - head < capacity else {
            // Roughly how long until a place frees up, at a few seconds per job.
            return .queueFull(retryAfterSeconds: max(1, min(30, (jobs.count - head) / max(1, workers.count + 1))))
        }
        var job = job
        job.request.job = nextJob
        nextJob += 1
        jobs.append(job)
        condition.signal()
        return nil
    }

    enum Next {
        case job(Job)
        /// No job waits (only when not asked to wait).
        case idle
        case closed
    }

    /// The next job, waiting for one unless `wait` is false.
    func next(wait: Bool) -> Next {
        condition.lock()
        defer { condition.unlock() }
        while wait && head == jobs.count && !closed { condition.wait() }
        if closed { return .closed }
        guard head < jobs.count else { return .idle }
        let job = jobs[head]
        head += 1
        if head > 64 && head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return .job(job)
    }

    var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head
    }

    var workerIDs: [Int32] {
        condition.lock()
        defer { condition.unlock() }
        return Array(workers.values).sorted()
    }

    func register(_ slot: ObjectIdentifier, pid: Int32?) {
        condition.lock()
        defer { condition.unlock() }
        workers[slot] = pid
    }

    func close() {
        condition.lock()
        closed = true
        let abandoned = jobs[head...]
        jobs = []
        head = 0
        condition.broadcast()
        condition.unlock()
        for job in abandoned { job.finish(.failure(.unavailable("the service is shutting down"))) }
    }
}
