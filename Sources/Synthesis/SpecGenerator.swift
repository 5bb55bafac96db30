import SynthesisVoices
/// Draws a varied, deterministic set of track specs, e.g. for a demo library or an estimator benchmark.
///
/// - Genres cycle through `Genre.allCases` in order.
/// - Keys follow a seeded permutation of all 24 keys, so any 24 consecutive indices cover every key once; because
///   there are 10 genres and 24 keys, each genre meets many different keys.
/// - BPM is drawn with one decimal within the genre's typical range; energy within the genre's typical range;
///   the mood is a genre mood that fits the mode (minor → darker) and the energy.
///
/// The spec for an index depends only on the generator's seed and the index, not on the order of calls.
public struct SpecGenerator: Sendable {
    private let seed: UInt64
    private let keyOrder: [Int]
    /// Duration given to every generated spec.
    public var durationSeconds: Double
    /// Noise level given to every generated spec.
    public var noiseLevel: Double

    /// A generator whose specs are a pure function of `seed` and the index.
    public init(seed: UInt64, durationSeconds: Double = 30, noiseLevel: Double = 0) {
        self.seed = seed
        self.durationSeconds = durationSeconds
        self.noiseLevel = noiseLevel
        var random = SeededRandom(seed: seed, stream: .generator)
        var keys = Array(0..<24)
        keys.shuffle(using: &random)
        keyOrder = keys
    }

    /// The spec at `index` (any non-negative integer).
    public mutating func next(index: Int) -> TrackSpec {
        let index = max(0, index)
        let genres = Genre.allCases
        let genre = genres[index % genres.count]
        let key = keyOrder[index % 24]
        let mode: Mode = key >= 12 ? .minor : .major
        let tonic = key % 12

        var random = SeededRandom(seed: seed &+ UInt64(index) &* 0x2545_F491_4F6C_DD1D, stream: .generator)
        let bpm = (random.uniform(genre.typicalBPM) * 10).rounded() / 10
        let energyRange = genre.typicalEnergy
        let energy = (random.uniform(energyRange) * 100).rounded() / 100

        // Minor keys lean towards dark and melancholic moods, major keys towards happy and uplifting ones; arousal
        // follows energy. A little randomness keeps every genre's mood list in use.
        let targetValence = mode == .major ? 0.55 : -0.35
        let targetArousal = energy
        var best = genre.moods[0]
        var bestScore = -Double.infinity
        for mood in genre.moods {
            let traits = MoodTraits.of(mood)
            let distance =
                (traits.valence - targetValence) * (traits.valence - targetValence)
                + (traits.arousal - targetArousal) * (traits.arousal - targetArousal)
            let score = -distance + random.uniform(0...0.35)
            if score > bestScore {
                bestScore = score
                best = mood
            }
        }

        let swing: Double
        switch genre.defaultSwing {
        case 0: swing = random.chance(0.2) ? 0.04 : 0
        case let typical: swing = (max(0, min(0.33, typical + random.uniform(-0.06...0.06))) * 100).rounded() / 100
        }

        return TrackSpec(
            genre: genre, bpm: bpm, tonic: tonic, mode: mode, energy: energy, mood: best,
            durationSeconds: durationSeconds, swing: swing, noiseLevel: noiseLevel,
            seed: random.next())
    }
}
