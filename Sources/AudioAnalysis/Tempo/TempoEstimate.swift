/// A tempo measured from audio.
public struct TempoEstimate: Sendable, Hashable {
    /// Beats per minute, in 60..<200.
    public var bpm: Double
    /// 0…1: how clearly one periodicity stands out.
    public var confidence: Double
    /// The other metrical levels a listener might tap: half and double the tempo.
    public var alternatives: [Double]

    public init(bpm: Double, confidence: Double, alternatives: [Double]) {
        self.bpm = bpm
        self.confidence = confidence
        self.alternatives = alternatives
    }
}
