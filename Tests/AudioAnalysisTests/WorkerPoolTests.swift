import AnalysisWorkers
import AudioAnalysis
import Foundation
import Synchronization
import Synthesis
import TestSupport
import Testing

/// The pool of `musicforge worker` processes: jobs in, analyses out; a crashed or hung worker costs
/// one job and is replaced; a full queue refuses at once.
@Suite struct WorkerPoolTests {
    func pool(workers: Int = 2, queue: Int? = nil, timeout: Duration = .seconds(30)) -> AnalysisPool {
        AnalysisPool(
            configuration: AnalysisPoolConfiguration(
                executable: BuiltProducts.musicforge, workers: workers, queueCapacity: queue, jobTimeout: timeout))
    }

    /// A path whose open blocks until someone writes to it: a worker given it is stuck mid-job.
    func fifo(in folder: String) throws -> String {
        let path = folder + "/stuck.mp3"
        guard mkfifo(path, 0o600) == 0 else { throw HarnessError("mkfifo failed") }
        return path
    }

    /// Lets a worker stuck opening `fifo` go on: it reads a few bytes that are not audio.
    func release(_ fifo: String) {
        let descriptor = open(fifo, O_WRONLY)
        _ = write(descriptor, "hello", 5)
        close(descriptor)
    }

    /// Submits a job that holds the pool's only worker until `release(_:)`, and waits until it does.
    func hold(_ pool: AnalysisPool, on fifo: String) async throws -> Task<Void, Never> {
        let held = Task { _ = try? await pool.analyze(path: fifo) }
        try await Processes.wait(for: .seconds(60), what: "the worker to take the held job") {
            pool.waitingJobs == 0 && !pool.workerProcessIDs.isEmpty
        }
        return held
    }

    @Test func deferredTagsAreHeardAfterTheMeasuresOfEveryWaitingJob() async throws {
        let folder = try Fixtures.folder("pool-defer")
        let stuck = try fifo(in: folder)
        var encoded: [String] = []
        for (index, style) in [Genre.house, .techno].enumerated() {
            let samples = try await Fixtures.track(style, bpm: 120 + Double(index) * 8, tonic: 2, mode: .minor, seconds: 8)
            encoded.append(try await Fixtures.encode(samples, as: .flac, in: folder))
        }
        let paths = encoded
        let pool = pool(workers: 1)
        defer { pool.shutdown() }
        let whole = try await pool.analyze(path: paths[0]).analysis
        try #require(whole?.tags != nil, "the workers hear tags (scripts/test makes the weights)")

        let held = try await hold(pool, on: stuck)
        let seen = Sightings()
        let jobs = paths.indices.map { index in
            Task {
                let report = try await pool.analyze(path: paths[index]) { early in
                    seen.measures.withLock { $0[index] = early.analysis }
                    seen.events.withLock { $0.append("measured \(index)") }
                }
                seen.events.withLock { $0.append("tagged \(index)") }
                return report
            }
        }
        try await Processes.wait(for: .seconds(60), what: "both jobs to queue") { pool.waitingJobs == 2 }
        release(stuck)
        await held.value
        let reports = try await [jobs[0].value, jobs[1].value]

        // Both measures came before either job's tags: the worker measured every waiting input first.
        let order = seen.events.withLock { $0 }
        #expect(Set(order.prefix(2)) == ["measured 0", "measured 1"], "\(order)")
        #expect(Set(order) == ["measured 0", "measured 1", "tagged 0", "tagged 1"])
        for index in paths.indices {
            let early = try #require(seen.measures.withLock { $0[index] })
            let final = try #require(reports[index].analysis)
            #expect(early.tagsPending && early.tags == nil && early.sound == nil)
            #expect(!final.tagsPending && final.tags != nil && final.sound?.count == 100)
            #expect(early.bpm == final.bpm && early.key == final.key && early.energy == final.energy)
        }
        // Deferred or not, the analysis is the same.
        #expect(reports[0].analysis == whole)
        #expect(reports[0].timing.analysis > 0 && reports[0].timing.decode > 0)
    }

    @Test func aWorkerThatDiesHoldingTagsFailsThoseJobsAfterTheirMeasures() async throws {
        let folder = try Fixtures.folder("pool-defer-kill")
        let stuck = try fifo(in: folder)
        let stuckAgain = folder + "/stuck-again.mp3"
        guard mkfifo(stuckAgain, 0o600) == 0 else { throw HarnessError("mkfifo failed") }
        let good = try await Fixtures.encode(Fixtures.track(.house, bpm: 124, tonic: 7, mode: .major, seconds: 8), as: .flac, in: folder)
        let pool = pool(workers: 1)
        defer { pool.shutdown() }
        let held = try await hold(pool, on: stuck)
        let seen = Sightings()
        let deferred = Task {
            try await pool.analyze(path: good) { early in seen.measures.withLock { $0[0] = early.analysis } }
        }
        try await Processes.wait(for: .seconds(60), what: "the job to queue") { pool.waitingJobs == 1 }
        // Queued behind it, so the worker takes this before the tags it keeps, and hangs on it.
        let hangs = Task { _ = try? await pool.analyze(path: stuckAgain) }
        try await Processes.wait(for: .seconds(60), what: "the second job to queue") { pool.waitingJobs == 2 }
        release(stuck)
        await held.value
        try await Processes.wait(for: .seconds(60), what: "the measures, and the worker on the next job") {
            seen.measures.withLock { $0[0] != nil } && pool.waitingJobs == 0
        }
        let victim = try #require(pool.workerProcessIDs.first)
        kill(victim, SIGKILL)
        await hangs.value
        do {
            _ = try await deferred.value
            Issue.record("the tags of a killed worker were heard")
        } catch {
            guard case .workerCrashed? = error as? AnalysisError else { throw error }
        }
        #expect(seen.measures.withLock { $0[0]?.bpm } != nil)
        // A fresh worker analyses the same file whole.
        let again = try await pool.analyze(path: good)
        #expect(again.analysis?.tags != nil && again.analysis?.tagsPending == false)
        #expect(pool.workerProcessIDs.first != victim)
    }

    @Test func analysesFilesAndBytesInWorkerProcesses() async throws {
        let folder = try Fixtures.folder("pool")
        let samples = try await Fixtures.track(.house, bpm: 124, tonic: 7, mode: .major, seconds: 12)
        let path = try await Fixtures.encode(samples, as: .opusOgg, in: folder)
        let pool = pool()
        defer { pool.shutdown() }
        let fromPath = try await pool.analyze(path: path)
        let fromBytes = try await pool.analyze(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(fromPath.analysis == fromBytes.analysis)
        let bpm = try #require(fromPath.analysis?.bpm)
        #expect(abs(bpm - 124) / 124 < 0.04)
        #expect(fromPath.timing.total > 0)
        #expect(fromPath.peakRSSMiB > 1)
        #expect(!pool.workerProcessIDs.contains(getpid()))
    }

    @Test func decodingErrorsComeBackTyped() async throws {
        let folder = try Fixtures.folder("pool-errors")
        FileManager.default.createFile(atPath: folder + "/text.mp3", contents: Data("hello".utf8))
        let pool = pool(workers: 1)
        defer { pool.shutdown() }
        await #expect(throws: AnalysisError.decoding(code: "UNSUPPORTED_MEDIA", message: DecodingError.unrecognisedFormat.description)) {
            try await pool.analyze(path: folder + "/text.mp3")
        }
        await #expect(throws: AnalysisError.decoding(code: "EMPTY_INPUT", message: DecodingError.empty.description)) {
            try await pool.analyze(bytes: [])
        }
    }

    @Test func aWorkerKilledMidJobFailsThatJobAndIsReplaced() async throws {
        let folder = try Fixtures.folder("pool-kill")
        let stuck = try fifo(in: folder)
        let good = try await Fixtures.encode(Fixtures.sine(frequency: 440, seconds: 2), as: .flac, in: folder)
        let pool = pool(workers: 1)
        defer { pool.shutdown() }
        async let outcome: AnalysisReport = pool.analyze(path: stuck)
        try await Processes.wait(for: .seconds(60), what: "a worker to start") { !pool.workerProcessIDs.isEmpty }
        let victim = try #require(pool.workerProcessIDs.first)
        try await Task.sleep(for: .milliseconds(200))
        kill(victim, SIGKILL)
        do {
            _ = try await outcome
            Issue.record("the job of a killed worker succeeded")
        } catch {
            guard case .workerCrashed(let how)? = error as? AnalysisError else { throw error }
            #expect(how.contains("signal 9"))
        }
        let next = try await pool.analyze(path: good)
        #expect(next.analysis != nil)
        #expect(pool.workerProcessIDs.first != victim)
    }

    @Test func aHungWorkerTimesOutAndIsReplaced() async throws {
        let folder = try Fixtures.folder("pool-hang")
        let stuck = try fifo(in: folder)
        let good = try await Fixtures.encode(Fixtures.sine(frequency: 440, seconds: 2), as: .wav, in: folder)
        // Short enough to wait out, long enough for the good clip's job afterwards on a loaded machine
        // (the worker's start is not counted: the time limit begins once it listens).
        // The good clip is tagged too (the worker loads the weights), so ten seconds, not five.
        let pool = pool(workers: 1, timeout: .seconds(10))
        defer { pool.shutdown() }
        let started = ContinuousClock.now
        await #expect(throws: AnalysisError.timedOut(seconds: 10)) { try await pool.analyze(path: stuck) }
        // Stuck on the FIFO, the job would never end by itself: the bound only catches a hang.
        #expect(ContinuousClock.now - started < .seconds(60))
        let next = try await pool.analyze(path: good)
        #expect(next.analysis != nil)
    }

    @Test func aFullQueueRefusesAtOnceWithRetryAfter() async throws {
        let folder = try Fixtures.folder("pool-full")
        // A job timeout far longer than the test: no place frees by itself while the queue is filled and
        // the refusal awaited, however slow the machine.
        let jobTimeout = Duration.seconds(120)
        let pool = pool(workers: 1, queue: 2, timeout: jobTimeout)
        defer { pool.shutdown() }
        // One stuck job holds the worker; two more fill the queue.
        let stuckPaths = try (0..<3).map { index -> String in
            let path = folder + "/stuck-\(index).mp3"
            guard mkfifo(path, 0o600) == 0 else { throw HarnessError("mkfifo failed") }
            return path
        }
        let first = Task { _ = try? await pool.analyze(path: stuckPaths[0]) }
        // A worker starts only for a job it has taken (nothing waits before the first job either, so
        // `waitingJobs` alone would prove nothing): with one job submitted, a live worker holds it.
        try await Processes.wait(for: .seconds(60), what: "the worker to take the first job") {
            pool.waitingJobs == 0 && !pool.workerProcessIDs.isEmpty
        }
        let holder = try #require(pool.workerProcessIDs.first)
        let waiting = Task {
            await withTaskGroup(of: Void.self) { group in
                for path in stuckPaths.dropFirst() { group.addTask { _ = try? await pool.analyze(path: path) } }
            }
        }
        try await Processes.wait(for: .seconds(60), what: "the queue to fill") { pool.waitingJobs == 2 }
        let refusedAt = ContinuousClock.now
        do {
            _ = try await pool.analyze(path: folder + "/another.mp3")
            Issue.record("a job beyond the queue was accepted")
        } catch {
            guard case .queueFull(let retryAfter) = error else { throw error }
            #expect(retryAfter >= 1)
            #expect(error.code == "UNAVAILABLE")
        }
        // Refused at once, not after waiting for a place: none could free before the stuck job's timeout,
        // and nothing did (the same worker holds it, the queue is still full).
        #expect(ContinuousClock.now - refusedAt < jobTimeout / 2)
        #expect(pool.workerProcessIDs == [holder] && pool.waitingJobs == 2, "a place freed meanwhile")
        pool.shutdown()
        await waiting.value
        // The stuck job would hold its worker until the long timeout: ending the worker ends the job. (After
        // the shutdown, so no waiting job is taken by a replacement.)
        kill(holder, SIGKILL)
        await first.value
    }

    @Test func shutdownFailsWaitingJobsAndStopsTheWorkers() async throws {
        let folder = try Fixtures.folder("pool-shutdown")
        let good = try await Fixtures.encode(Fixtures.sine(frequency: 440, seconds: 2), as: .wav, in: folder)
        let pool = pool(workers: 1)
        _ = try await pool.analyze(path: good)
        let worker = try #require(pool.workerProcessIDs.first)
        pool.shutdown()
        await #expect(throws: AnalysisError.self) { try await pool.analyze(path: good) }
        try await Processes.wait(for: .seconds(60), what: "the worker to exit") { kill(worker, 0) != 0 }
    }
}

/// What the callbacks of deferred jobs saw, in order.
final class Sightings: Sendable {
    let events = Mutex<[String]>([])
    let measures = Mutex<[Int: Analysis]>([:])
}
