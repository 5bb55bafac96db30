import AudioAnalysis
import Foundation

/// What the pool asks a worker: analyse a file or bytes that follow in the next frame.
struct WorkerRequest: Codable, Sendable {
    var job: UInt64
    /// A file to read, or nil when the bytes follow in the next frame (none follow a `tag_job`).
    var path: String?
    /// Stop after decoding: for measuring the decoder alone.
    var decodeOnly: Bool = false
    /// Answer with the DSP measures as soon as they are made (`tags_pending`), keep what the tagger
    /// is to hear, and tag it when a `tag_job` request names this job.
    var deferTags: Bool = false
    /// Not a new input: tag what was kept for this earlier job and answer with its whole analysis.
    var tagJob: UInt64?

    enum CodingKeys: String, CodingKey {
        case job, path
        case decodeOnly = "decode_only"
        case deferTags = "defer_tags"
        case tagJob = "tag_job"
    }
}

/// The first frame a worker writes, once it is ready for requests.
enum WorkerGreeting {
    static let bytes = Array(#"{"ready":true}"#.utf8)
}

/// A worker's answer to one request.
struct WorkerReply: Codable, Sendable {
    var job: UInt64
    var analysis: Analysis?
    /// The container's tags, when the input decoded.
    var metadata: AudioMetadata?
    var error: WorkerFailure?
    var timing: AnalysisTiming
    /// The worker's peak resident memory so far, in MiB.
    var peakRSSMiB: Double

    enum CodingKeys: String, CodingKey {
        case job, analysis, metadata, error
        case timing = "timing_ms"
        case peakRSSMiB = "peak_rss_mb"
    }
}

/// A decoding failure as it crosses the pipe.
struct WorkerFailure: Codable, Sendable, Hashable {
    var code: String
    var message: String
}

/// Milliseconds of CPU time a worker spent on one job (the thread's own clock, so a busy machine
/// does not inflate it).
public struct AnalysisTiming: Codable, Sendable, Hashable {
    public var decode: Double
    public var analysis: Double
    public var total: Double { decode + analysis }

    public init(decode: Double, analysis: Double) {
        self.decode = decode
        self.analysis = analysis
    }

    enum CodingKeys: String, CodingKey { case decode, analysis, total }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        decode = try container.decode(Double.self, forKey: .decode)
        analysis = try container.decode(Double.self, forKey: .analysis)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode((decode * 100).rounded() / 100, forKey: .decode)
        try container.encode((analysis * 100).rounded() / 100, forKey: .analysis)
        try container.encode((total * 100).rounded() / 100, forKey: .total)
    }
}

/// Length-prefixed frames over a file descriptor: a 4-byte big-endian length, then that many bytes.
enum Frames {
    /// Larger frames are refused: a worker never needs more than an upload's bytes.
    static let maxLength = 256 * 1024 * 1024

    enum Failure: Error { case closed, tooLong, timedOut, io(Int32) }

    static func write(_ payload: [UInt8], to descriptor: Int32) throws(Failure) {
        guard payload.count <= maxLength else { throw .tooLong }
        let length = UInt32(payload.count)
        let header: [UInt8] = [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
        try writeAll(header, to: descriptor)
        try writeAll(payload, to: descriptor)
    }

    /// Reads one frame, waiting no later than `deadline` (forever when nil). Throws `.closed` at the
    /// end of input and `.timedOut` past the deadline.
    static func read(from descriptor: Int32, until deadline: ContinuousClock.Instant? = nil) throws(Failure) -> [UInt8] {
        let header = try readExactly(4, from: descriptor, until: deadline)
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard length <= maxLength else { throw .tooLong }
        return try readExactly(length, from: descriptor, until: deadline)
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .io(errno)
            }
            offset += written
        }
    }

    private static func readExactly(_ count: Int, from descriptor: Int32, until deadline: ContinuousClock.Instant?)
        throws(Failure) -> [UInt8]
    {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            if let deadline {
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else { throw .timedOut }
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let milliseconds = Int32(
                    clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
                        + 1)
                let ready = poll(&poller, 1, milliseconds)
                if ready < 0 && errno != EINTR { throw .io(errno) }
                if ready <= 0 { continue }
            }
            let got = bytes.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress! + offset, count - offset) }
            if got < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .io(errno)
            }
            if got == 0 { throw .closed }
            offset += got
        }
        return bytes
    }
}
