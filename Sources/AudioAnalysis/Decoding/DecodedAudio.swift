/// Audio decoded for analysis: mono float samples at one rate, and the integrated loudness measured on
/// the channels as they were while decoding (EBU R128 sums the channels' power, which a downmix would
/// change; measuring on the way keeps no per-channel copy in memory).
public struct DecodedAudio: Sendable {
    /// Samples per second of `mono`.
    public var sampleRate: Int
    /// The average of the channels, in -1…1.
    public var mono: [Float]
    /// Integrated loudness in LUFS (EBU R128) of the decoded part, on up to two channels (more are
    /// downmixed to two first).
    public var loudnessLUFS: Double
    /// The whole track's duration in seconds as the container states it, or the decoded length
    /// when the container does not say.
    public var durationSeconds: Double
    /// True when decoding stopped at `DecodingLimits.maxSeconds` before the end.
    public var truncated: Bool
    /// The container's descriptive tags.
    public var metadata: AudioMetadata

    /// Seconds of audio decoded.
    public var decodedSeconds: Double { Double(mono.count) / Double(sampleRate) }

    public init(
        sampleRate: Int, mono: [Float], loudnessLUFS: Double, durationSeconds: Double, truncated: Bool,
        metadata: AudioMetadata = AudioMetadata()
    ) {
        self.metadata = metadata
        self.sampleRate = sampleRate
        self.mono = mono
        self.loudnessLUFS = loudnessLUFS
        self.durationSeconds = durationSeconds
        self.truncated = truncated
    }
}
