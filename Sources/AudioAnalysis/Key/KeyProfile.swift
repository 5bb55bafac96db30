import MusicTheory

/// Key profiles: how strongly each scale degree sounds in music in a major and in a minor key, tonic
/// first. A chroma vector is matched against each profile rotated to all 12 tonics.
public enum KeyProfile: String, Sendable, CaseIterable {
    /// Krumhansl & Kessler's probe-tone ratings ("Tracing the dynamic changes in perceived tonal
    /// organization", Psychological Review 1982).
    case krumhansl
    /// Temperley's profiles from the Kostka-Payne corpus ("Music and Probability", MIT Press 2007).
    case temperley
    /// Aarden's profiles from the Essen folk-song collection (PhD thesis, Ohio State 2003).
    case aarden
    /// A plain diatonic profile with the tonic triad stressed: the scale of each mode, the tonic
    /// triad at full weight, the other degrees at half, chromatic notes at zero.
    case diatonic
    /// Faraldo et al.'s profiles from Beatport electronic dance music, with the degrees that EDM rarely
    /// sounds set to zero ("Key estimation in electronic dance music", ECIR 2016; Essentia's `bgate`).
    case bgate
    /// Albrecht & Shanahan's profiles from 490 pieces of the common-practice period ("The use of large
    /// corpora to train a new type of key-finding algorithm", Music Perception 31(1), 2013).
    case albrecht
    /// Krumhansl-Kessler and Albrecht-Shanahan added, each standardised (mean 0, deviation 1) first: the
    /// listener's ratings and the corpus's counts, each correcting the other's mistakes.
    case krumhanslAlbrecht

    /// Twelve weights, tonic first.
    public var major: [Double] {
        switch self {
        case .krumhansl: [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]
        case .temperley: [5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0]
        case .aarden:
            [
                17.7661, 0.145624, 14.9265, 0.160186, 19.8049, 11.3587, 0.291248, 22.062, 0.145624, 8.15494, 0.232998,
                4.95122,
            ]
        case .diatonic: [1, 0, 0.5, 0, 1, 0.5, 0, 1, 0, 0.5, 0, 0.5]
        case .bgate: [1, 0, 0.42, 0, 0.53, 0.37, 0, 0.77, 0, 0.38, 0.21, 0.30]
        case .krumhanslAlbrecht: Self.sum(Self.krumhansl.major, Self.albrecht.major)
        case .albrecht: [0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081]
        }
    }

    /// Twelve weights, tonic first.
    public var minor: [Double] {
        switch self {
        case .krumhansl: [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]
        case .temperley: [5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0]
        case .aarden:
            [
                18.2648, 0.737619, 14.0499, 16.8599, 0.702494, 14.4362, 0.702494, 18.6161, 4.56621, 1.93186, 7.37619,
                1.75623,
            ]
        case .diatonic: [1, 0, 0.5, 1, 0, 0.5, 0, 1, 0.5, 0, 0.5, 0.25]
        case .bgate: [1, 0, 0.36, 0.39, 0, 0.38, 0, 0.74, 0.27, 0, 0.42, 0.23]
        case .krumhanslAlbrecht: Self.sum(Self.krumhansl.minor, Self.albrecht.minor)
        case .albrecht: [0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052]
        }
    }

    /// The two profiles standardised, then added.
    private static func sum(_ a: [Double], _ b: [Double]) -> [Double] {
        func standardised(_ values: [Double]) -> [Double] {
            let mean = values.reduce(0, +) / Double(values.count)
            let deviation = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            return values.map { ($0 - mean) / deviation }
        }
        return zip(standardised(a), standardised(b)).map(+)
    }

    func weights(for mode: Mode) -> [Double] { mode == .major ? major : minor }
}
