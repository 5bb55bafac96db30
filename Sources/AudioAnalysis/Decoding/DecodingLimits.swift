/// What one decode may cost. Every input is untrusted: these caps bound the work a hostile or broken
/// file can cause.
public struct DecodingLimits: Sendable, Hashable {
    /// Seconds of audio decoded from the start; the rest is not read. Tempo and key are stable over
    /// two minutes of a track, and the cap bounds the work (and the memory of a decode kept whole,
    /// `AudioDecoder.decode(path:)`: 2 minutes of mono float at the analysis rate is about 10.6 MB).
    public var maxSeconds: Double
    /// Bytes read from the input before decoding stops with `DecodingError.tooLarge`.
    public var maxBytes: Int
    /// Wall time for the whole decode before it stops with `DecodingError.timedOut`, the sink's work
    /// included (analysis measures as the decoder produces audio, about a fifth of the decoding time).
    public var maxWallSeconds: Double

    public init(maxSeconds: Double = 120, maxBytes: Int = 200 * 1024 * 1024, maxWallSeconds: Double = 20) {
        self.maxSeconds = maxSeconds
        self.maxBytes = maxBytes
        self.maxWallSeconds = maxWallSeconds
    }

    public static let `default` = DecodingLimits()
}
