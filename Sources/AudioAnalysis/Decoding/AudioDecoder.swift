import CFFmpeg

/// Decodes any audio FFmpeg reads (MP3, AAC/M4A, Opus in Ogg or WebM, Vorbis, FLAC, WAV, AIFF, …) to
/// float samples at one analysis rate, from a file or from bytes in memory, within `DecodingLimits`.
///
/// Runs on the calling thread and blocks: call it from a worker process or a thread of its own, never
/// from the cooperative pool.
public struct AudioDecoder: Sendable {
    /// The rate everything is resampled to. 22,050 Hz keeps all the content tempo and key need
    /// (up to 11 kHz) at half the cost of 44.1 kHz.
    public static let analysisRate = 22_050

    /// File extensions of the audio this decoder reads, lower case: what a folder search (the local
    /// library, `musicforge analyze DIR`) picks up. Any file can still be given by name.
    public static let fileExtensions: Set<String> = [
        "mp3", "m4a", "aac", "mp4", "opus", "ogg", "oga", "webm", "flac", "wav", "wave", "aif", "aiff", "wma", "mka",
    ]

    public var limits: DecodingLimits
    public var sampleRate: Int

    public init(limits: DecodingLimits = .default, sampleRate: Int = AudioDecoder.analysisRate) {
        self.limits = limits
        self.sampleRate = sampleRate
        // FFmpeg's own log lines would go to stderr, which workers keep for real failures; every
        // problem surfaces as a DecodingError instead.
        av_log_set_level(AV_LOG_QUIET)
    }

    /// Decodes the file at `path` into memory.
    public func decode(path: String) throws(DecodingError) -> DecodedAudio {
        let collector = SampleCollector(sampleRate: sampleRate)
        return collector.audio(try decode(path: path, into: collector))
    }

    /// Decodes an encoded file held in memory into memory.
    public func decode(bytes: [UInt8]) throws(DecodingError) -> DecodedAudio {
        let collector = SampleCollector(sampleRate: sampleRate)
        return collector.audio(try decode(bytes: bytes, into: collector))
    }

    /// Decodes the file at `path`, giving the samples to `sink` as they are decoded.
    public func decode(path: String, into sink: any DecodedAudioSink) throws(DecodingError) -> DecodedStream {
        let source = try InputSource(path: path, maxBytes: limits.maxBytes, deadline: deadline())
        return try decode(source, into: sink)
    }

    /// Decodes an encoded file held in memory, giving the samples to `sink` as they are decoded.
    public func decode(bytes: [UInt8], into sink: any DecodedAudioSink) throws(DecodingError) -> DecodedStream {
        guard bytes.count <= limits.maxBytes else { throw .tooLarge(limit: limits.maxBytes) }
        return try decode(InputSource(bytes: bytes, maxBytes: limits.maxBytes, deadline: deadline()), into: sink)
    }

    private func deadline() -> ContinuousClock.Instant {
        .now + .milliseconds(Int64(limits.maxWallSeconds * 1000))
    }

    private func decode(_ source: InputSource, into sink: any DecodedAudioSink) throws(DecodingError) -> DecodedStream {
        guard source.size > 0 else { throw .empty }
        do {
            let session = try DecodingSession(source: source, outputRate: sampleRate, sink: sink)
            return try session.run(maxSeconds: limits.maxSeconds)
        } catch {
            if source.exceededBytes { throw .tooLarge(limit: limits.maxBytes) }
            if source.isPastDeadline { throw .timedOut(seconds: limits.maxWallSeconds) }
            throw error
        }
    }
}
