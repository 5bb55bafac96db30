import AudioAnalysis
import Foundation

/// One place in the pool: a thread that keeps one worker process busy, replacing it when it dies or
/// hangs.
final class WorkerSlot {
    private let configuration: AnalysisPoolConfiguration
    private let queue: JobQueue
    private var worker: WorkerProcess?
    private let encoder = JSONEncoder()
    private let decoder = JSONDecoder()

    init(configuration: AnalysisPoolConfiguration, queue: JobQueue) {
        self.configuration = configuration
        self.queue = queue
    }

    /// Jobs this slot's worker has answered with their tags pending, and those first answers, in
    /// order: heard when no job waits in the queue.
    private var pendingTags: [(job: Job, measured: AnalysisReport)] = []

    func run() {
        while true {
            switch queue.next(wait: pendingTags.isEmpty) {
            case .job(let job): run(job)
            case .idle: tagNext()
            case .closed:
                failPendingTags(.unavailable("the service is shutting down"))
                worker?.stop()
                queue.register(ObjectIdentifier(self), pid: nil)
                return
            }
        }
    }

    private func run(_ job: Job) {
        let result = perform(job.request, bytes: job.bytes)
        if case .success(let report) = result, report.analysis?.tagsPending == true, let measured = job.measured {
            measured(report)
            pendingTags.append((job, report))
        } else {
            job.finish(result)
        }
    }

    /// Asks the worker for the tags of the oldest job that waits for them.
    private func tagNext() {
        let (job, measured) = pendingTags.removeFirst()
        let request = WorkerRequest(job: job.request.job, path: nil, tagJob: job.request.job)
        job.finish(
            perform(request, bytes: nil).map { tagged in
                AnalysisReport(
                    analysis: tagged.analysis, metadata: measured.metadata,
                    timing: AnalysisTiming(
                        decode: measured.timing.decode, analysis: measured.timing.analysis + tagged.timing.analysis),
                    peakRSSMiB: tagged.peakRSSMiB)
            }.mapError { error in
                // Not the input's fault: it decoded. (Only a worker out of step with its slot says so.)
                if case .decoding(_, let message) = error { return .workerCrashed(message) }
                return error
            })
    }

    private func failPendingTags(_ error: AnalysisError) {
        let failed = pendingTags
        pendingTags = []
        for (job, _) in failed { job.finish(.failure(error)) }
    }

    private func perform(_ request: WorkerRequest, bytes: [UInt8]?) -> Result<AnalysisReport, AnalysisError> {
        let worker: WorkerProcess
        do {
            worker = try running()
        } catch {
            return .failure(.unavailable(error.description))
        }
        let deadline = ContinuousClock.now + configuration.jobTimeout
        do {
            try Frames.write(Array(encoder.encode(request)), to: worker.input)
            if let bytes { try Frames.write(bytes, to: worker.input) }
            let reply = try decoder.decode(WorkerReply.self, from: Data(Frames.read(from: worker.output, until: deadline)))
            guard reply.job == request.job else { throw SlotFailure.protocolBroken }
            if let error = reply.error { return .failure(.decoding(code: error.code, message: error.message)) }
            return .success(
                AnalysisReport(
                    analysis: reply.analysis, metadata: reply.metadata ?? AudioMetadata(), timing: reply.timing,
                    peakRSSMiB: reply.peakRSSMiB))
        } catch Frames.Failure.timedOut {
            replace(worker)
            return .failure(.timedOut(seconds: Double(configuration.jobTimeout.components.seconds)))
        } catch {
            // The pipe closed or carried garbage: the worker crashed or was killed mid-job.
            replace(worker)
            return .failure(.workerCrashed(worker.ending ?? "its pipe broke"))
        }
    }

    private enum SlotFailure: Error { case protocolBroken }

    /// How long a new worker may take to load and greet.
    static let startupLimit: Duration = .seconds(30)

    /// The live worker, started if there is none.
    private func running() throws(WorkerProcess.SpawnError) -> WorkerProcess {
        if let worker { return worker }
        let started = try WorkerProcess(executable: configuration.executable, arguments: configuration.arguments)
        // Wait for its greeting: a process that cannot start (or is not a worker) fails here, and the
        // job's own time limit starts only once the worker listens.
        guard let greeting = try? Frames.read(from: started.output, until: .now + Self.startupLimit), greeting == WorkerGreeting.bytes
        else {
            started.kill()
            throw .noGreeting
        }
        worker = started
        queue.register(ObjectIdentifier(self), pid: started.pid)
        return started
    }

    /// Kills a worker that crashed, hung or broke the protocol, so the next job gets a fresh one. The
    /// tags it kept are lost with it: those jobs fail (their measures were answered; nothing is stored).
    private func replace(_ old: WorkerProcess) {
        old.kill()
        worker = nil
        queue.register(ObjectIdentifier(self), pid: nil)
        failPendingTags(.workerCrashed("the worker holding its tags stopped"))
    }
}
