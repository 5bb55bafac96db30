import Foundation

/// The loop of one `musicforge worker` process: reads requests from standard input, analyses, and
/// answers on standard output, until its input closes. A crash here costs one job: the pool notices
/// the closed pipe, fails that job and starts another worker.
public struct AnalysisWorker {
    private let analyzer: AudioAnalyzer

    public init(analyzer: AudioAnalyzer = AudioAnalyzer()) {
        self.analyzer = analyzer
    }

    /// Serves until standard input closes. Returns normally then; exits the process on a broken pipe.
    public func run(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        // The greeting tells the pool this worker is loaded and listening, so a job's time limit never
        // includes the start of a process (or the making of FFT plans).
        analyzer.prepare()
        guard (try? Frames.write(Array(WorkerGreeting.bytes), to: output)) != nil else { return }
        while true {
            let request: WorkerRequest
            var bytes: [UInt8]?
            do {
                request = try decoder.decode(WorkerRequest.self, from: Data(Frames.read(from: input)))
                if request.path == nil { bytes = try Frames.read(from: input) }
            } catch {
                return
            }
            let reply = handle(request, bytes: bytes)
            guard let payload = try? encoder.encode(reply), (try? Frames.write(Array(payload), to: output)) != nil
            else { return }
        }
    }

    /// Decodes and, unless only decoding is asked for, measures on the way. The analysis' time is the
    /// CPU time spent measuring; the decode's is the rest.
    func handle(_ request: WorkerRequest, bytes: [UInt8]?) -> WorkerReply {
        let start = ThreadClock.now()
        let measurements = request.decodeOnly ? nil : analyzer.measurements()
        let sink: any DecodedAudioSink = measurements ?? DiscardingSink()
        let decoded = Result { () throws(DecodingError) in
            if let path = request.path {
                try analyzer.decoder.decode(path: path, into: sink)
            } else {
                try analyzer.decoder.decode(bytes: bytes ?? [], into: sink)
            }
        }
        func timing() -> AnalysisTiming {
            let analysis = measurements?.cpuMilliseconds ?? 0
            return AnalysisTiming(decode: ThreadClock.now() - start - analysis, analysis: analysis)
        }
        switch decoded {
        case .failure(let error):
            return WorkerReply(
                job: request.job, analysis: nil, metadata: nil, error: WorkerFailure(code: error.code, message: error.description),
                timing: timing(), peakRSSMiB: ThreadClock.peakRSSMiB())
        case .success(let stream):
            let analysis = measurements?.analysis(of: stream)
            return WorkerReply(
                job: request.job, analysis: analysis, metadata: stream.metadata, error: nil, timing: timing(),
                peakRSSMiB: ThreadClock.peakRSSMiB())
        }
    }
}

/// The calling thread's CPU time, and the process's peak memory.
enum ThreadClock {
    /// Milliseconds of CPU time used by this thread.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1_000_000
    }

    /// Peak resident memory (VmHWM) from /proc/self/status. Not getrusage: on Linux a spawned child's
    /// ru_maxrss starts from its parent's peak, which would report the server's memory as the worker's.
    static func peakRSSMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return (kilobytes / 1024 * 10).rounded() / 10
    }
}
