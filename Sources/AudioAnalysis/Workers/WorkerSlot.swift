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
            let reply = try decoder.decode(WorkerReply.self, from: Data(read(from: worker, until: deadline)))
            guard reply.job == job.request.job else { throw SlotFailure.protocolBroken }
            if let error = reply.error { return .failure(.decoding(code: error.code, message: error.message)) }
            return .success(AnalysisReport(analysis: reply.analysis, timing: reply.timing, peakRSSMiB: reply.peakRSSMiB))
        } catch SlotFailure.timedOut {
            replace(worker, kill: true)
            return .failure(.timedOut(seconds: Double(configuration.jobTimeout.components.seconds)))
        } catch {
            // The pipe closed or carried garbage: the worker crashed or was killed mid-job.
            replace(worker, kill: true)
            return .failure(.workerCrashed(worker.ending ?? "its pipe broke"))
        }
    }

    private enum SlotFailure: Error { case timedOut, closed, protocolBroken }

    /// How long a new worker may take to load and greet.
    static let startupLimit: Duration = .seconds(30)

    /// The live worker, started if there is none.
    private func running() throws(WorkerProcess.SpawnError) -> WorkerProcess {
        if let worker { return worker }
        let started = try WorkerProcess(executable: configuration.executable, arguments: configuration.arguments)
        // Wait for its greeting: a process that cannot start (or is not a worker) fails here, and the
        // job's own time limit starts only once the worker listens.
        guard let greeting = try? read(from: started, until: .now + Self.startupLimit), greeting == WorkerGreeting.bytes
        else {
            started.kill()
            throw .noGreeting
        }
        worker = started
        queue.register(ObjectIdentifier(self), pid: started.pid)
        return started
    }

    private func replace(_ old: WorkerProcess, kill: Bool) {
        if kill { old.kill() } else { old.stop() }
        worker = nil
        queue.register(ObjectIdentifier(self), pid: nil)
    }

    /// Reads one frame from the worker, never waiting past `deadline`.
    private func read(from worker: WorkerProcess, until deadline: ContinuousClock.Instant) throws -> [UInt8] {
        let header = try readExactly(4, from: worker.output, until: deadline)
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard length <= Frames.maxLength else { throw SlotFailure.protocolBroken }
        return try readExactly(length, from: worker.output, until: deadline)
    }

    private func readExactly(_ count: Int, from descriptor: Int32, until deadline: ContinuousClock.Instant) throws
        -> [UInt8]
    {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw SlotFailure.timedOut }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(
                clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                throw SlotFailure.closed
            }
            if ready == 0 { continue }
            let got = bytes.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress! + offset, count - offset) }
            if got < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw SlotFailure.closed
            }
            if got == 0 { throw SlotFailure.closed }
            offset += got
        }
        return bytes
    }
}
