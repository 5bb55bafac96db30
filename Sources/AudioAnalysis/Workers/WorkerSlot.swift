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

    func run() {
        while let job = queue.take() {
            job.finish(perform(job))
        }
        worker?.stop()
        queue.register(ObjectIdentifier(self), pid: nil)
    }

    private func perform(_ job: Job) -> Result<AnalysisReport, AnalysisError> {
        let worker: WorkerProcess
        do {
            worker = try running()
        } catch {
            return .failure(.unavailable(error.description))
        }
        let deadline = ContinuousClock.now + configuration.jobTimeout
        do {
            try Frames.write(Array(encoder.encode(job.request)), to: worker.input)
            if let bytes = job.bytes { try Frames.write(bytes, to: worker.input) }
            let reply = try decoder.decode(WorkerReply.self, from: Data(Frames.read(from: worker.output, until: deadline)))
            guard reply.job == job.request.job else { throw SlotFailure.protocolBroken }
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

    /// Kills a worker that crashed, hung or broke the protocol, so the next job gets a fresh one.
    private func replace(_ old: WorkerProcess) {
        old.kill()
        worker = nil
        queue.register(ObjectIdentifier(self), pid: nil)
    }
}
