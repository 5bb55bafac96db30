import MusicTheory

/// A key measured from audio.
public struct KeyEstimate: Sendable, Hashable {
    public var key: MusicalKey
    /// 0…1: how far the best key's match stands above the runner-up's.
    public var confidence: Double
    /// The recording's tuning relative to A4 = 440 Hz, in cents.
    public var tuningCents: Double

    public init(key: MusicalKey, confidence: Double, tuningCents: Double) {
        self.key = key
        self.confidence = confidence
        self.tuningCents = tuningCents
    }
}
