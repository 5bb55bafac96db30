import MusicTheory

/// Estimates the key by matching a tuning-corrected chroma profile against key profiles rotated to
/// all 24 keys (Krumhansl-Schmuckler, "Cognitive Foundations of Musical Pitch", 1990): the key whose
/// profile correlates best (Pearson) wins.
public struct KeyEstimator: Sendable {
    /// The profile set. Krumhansl-Kessler scored best on our material: on 120 demo-library tracks,
    /// exact keys 99.2 % (Krumhansl), 96.7 % (Faraldo's EDM `bgate`), 88.3 % (diatonic), 79.2 % (Aarden)
    /// and 72.5 % (Temperley); `AccuracyTests.krumhanslProfilesScoreBest` keeps checking it.
    public var profile: KeyProfile

    public init(profile: KeyProfile = .krumhansl) {
        self.profile = profile
    }

    func estimate(_ chroma: Chromagram) -> KeyEstimate? {
        guard chroma.profile.contains(where: { $0 > 0 }) else { return nil }
        let scores = MusicalKey.all.map { key in
            (key, Self.correlation(chroma.profile, rotated(profile.weights(for: key.mode), to: key.tonic)))
        }.sorted { $0.1 > $1.1 }
        let (best, bestScore) = scores[0]
        let runnerUp = scores[1].1
        guard bestScore > 0 else { return nil }
        // A clear winner (a gap of 0.15 in correlation or more) with a good fit gets full confidence,
        // scaled down when the chroma is nearly flat (noise, unpitched percussion): its mean is near its
        // maximum of 1 there, about one half for tonal music.
        let flatness = chroma.profile.reduce(0, +) / 12
        let tonality = min(1, max(0, (1 - flatness) / 0.3))
        let confidence =
            min(1, max(0, bestScore)) * min(1, max(0, (bestScore - runnerUp) / 0.15)).squareRoot() * tonality
        return KeyEstimate(
            key: best, confidence: (confidence * 1000).rounded() / 1000,
            tuningCents: (chroma.tuningCents * 10).rounded() / 10)
    }

    /// `weights` (tonic first) laid out C first for a key on `tonic`.
    private func rotated(_ weights: [Double], to tonic: PitchClass) -> [Double] {
        (0..<12).map { pitchClass in weights[PitchClass(pitchClass).interval(from: tonic)] }
    }

    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let meanA = a.reduce(0, +) / Double(a.count)
        let meanB = b.reduce(0, +) / Double(b.count)
        var product = 0.0
        var squareA = 0.0
        var squareB = 0.0
        for index in a.indices {
            let x = a[index] - meanA
            let y = b[index] - meanB
            product += x * y
            squareA += x * x
            squareB += y * y
        }
        let denominator = (squareA * squareB).squareRoot()
        return denominator > 0 ? product / denominator : 0
    }
}
