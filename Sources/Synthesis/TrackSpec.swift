import SynthesisVoices
/// Major or minor: the two modes the synthesiser writes in.
public enum Mode: String, CaseIterable, Sendable, Codable, Hashable {
    case major
    case minor
}

/// Everything that determines a synthesised track; rendering the same spec always gives the same samples.
///
/// `bpm`, `tonic` and `mode` are the ground truth the tempo and key estimators are measured against.
public struct TrackSpec: Sendable, Codable, Hashable {
    /// The style: drum grammar, sound palette, harmony idioms.
    public var genre: Genre
    /// The true tempo in beats (quarter notes) per minute; may be non-integer. Meant to be in 60..<200.
    public var bpm: Double
    /// The tonic's pitch class: 0 = C, 1 = C#, … 11 = B.
    public var tonic: Int
    /// Major or minor.
    public var mode: Mode
    /// 0 (sparse, soft, dark) … 1 (full kit, dense hats, bright, loud).
    public var energy: Double
    /// A lower-case mood word; nudges brightness, reverb and harmonic choices.
    public var mood: String
    /// Length of the rendered audio in seconds.
    public var durationSeconds: Double
    /// 0 (straight) … 0.33 (triplet swing): how far off-beat 16ths (or 8ths, depending on the genre) are delayed,
    /// as a fraction of that note value.
    public var swing: Double
    /// 0 = no noise; 1 = added pink noise with the same RMS as the music.
    public var noiseLevel: Double
    /// Seeds every random decision (kit, patterns, melody, humanisation).
    public var seed: UInt64

    /// A spec; `mood` defaults to the genre's most typical mood and `swing` to the genre's typical swing.
    public init(
        genre: Genre, bpm: Double, tonic: Int, mode: Mode, energy: Double = 0.6, mood: String? = nil,
        durationSeconds: Double = 30, swing: Double? = nil, noiseLevel: Double = 0, seed: UInt64 = 0
    ) {
        self.genre = genre
        self.bpm = bpm
        self.tonic = ((tonic % 12) + 12) % 12
        self.mode = mode
        self.energy = energy
        self.mood = mood ?? genre.moods[0]
        self.durationSeconds = durationSeconds
        self.swing = swing ?? genre.defaultSwing
        self.noiseLevel = noiseLevel
        self.seed = seed
    }

    /// The key spelled the project's way, e.g. "Eb minor".
    public var keyName: String {
        let names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
        return "\(names[((tonic % 12) + 12) % 12]) \(mode.rawValue)"
    }
}
