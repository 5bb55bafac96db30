import AudioAnalysis
import Foundation

/// The loop of one `musicforge worker` process: reads requests from standard input, analyses, and
/// answers on standard output, until its input closes. A crash here costs one job: the pool notices
/// the closed pipe, fails that job and starts another worker.
public struct AnalysisWorker {
    private let analyzer: AudioAnalyzer
    private let deferred = DeferredTagging()

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
                if request.path == nil, request.tagJob == nil { bytes = try Frames.read(from: input) }
            } catch {
                return
            }
            let reply = request.tagJob.map { tag(job: $0, request: request.job) } ?? handle(request, bytes: bytes)
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
            var analysis: Analysis?
            if let measurements {
                let (measured, patches) = measurements.measures(of: stream)
                if let patches, request.deferTags, deferred.keep(measured, patches: patches, for: request.job) {
                    analysis = measured
                    analysis?.tagsPending = true
                } else {
                    analysis = patches.map { measurements.tagged(measured, patches: $0) } ?? measured
                }
            }
            return WorkerReply(
                job: request.job, analysis: analysis, metadata: stream.metadata, error: nil, timing: timing(),
                peakRSSMiB: ThreadClock.peakRSSMiB())
        }
    }

    /// Tags what was kept for `job`, answering `request` with the whole analysis.
    func tag(job: UInt64, request: UInt64) -> WorkerReply {
        let start = ThreadClock.now()
        guard let (measured, patches) = deferred.take(job), let tagger = analyzer.tagger else {
            return WorkerReply(
                job: request, analysis: nil, metadata: nil,
                error: WorkerFailure(code: "ANALYSIS_FAILED", message: "Nothing is kept to tag for job \(job)."),
                timing: AnalysisTiming(decode: 0, analysis: ThreadClock.now() - start), peakRSSMiB: ThreadClock.peakRSSMiB())
        }
        let analysis = AudioMeasurements.tagged(measured, patches: patches, by: tagger)
        return WorkerReply(
            job: request, analysis: analysis, metadata: nil, error: nil,
            timing: AnalysisTiming(decode: 0, analysis: ThreadClock.now() - start), peakRSSMiB: ThreadClock.peakRSSMiB())
    }
}

/// The analyses a worker has answered with their tags pending, and what their tagger is to hear
/// (two log-mel patches, 144 KB a job): at most `capacity`, past which a job is tagged at once.
final class DeferredTagging {
    static let capacity = 64
    private var kept: [UInt64: (Analysis, [[Float]])] = [:]

    /// Keeps a job's measures and patches; false when full.
    func keep(_ analysis: Analysis, patches: [[Float]], for job: UInt64) -> Bool {
        guard kept.count < Self.capacity else { return false }
        kept[job] = (analysis, patches)
        return true
    }

    func take(_ job: UInt64) -> (Analysis, [[Float]])? {
        kept.removeValue(forKey: job)
    }
}
