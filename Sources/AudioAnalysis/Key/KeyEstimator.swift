import MusicTheory

/// Estimates the key by matching a tuning-corrected chroma profile against key profiles rotated to
/// all 24 keys (Krumhansl-Schmuckler, "Cognitive Foundations of Musical Pitch", 1990): the key whose
/// profile correlates best (Pearson) wins.
public struct KeyEstimator: Sendable {
    /// The profile set, chosen on real recordings (the 18 with an established key in
    /// Tests/Resources/real-music) without losing the synthetic demo library. MIREX scores, real and
    /// synthetic (120 tracks): Krumhansl-Kessler with Albrecht-Shanahan 0.889 and 0.988; Albrecht-Shanahan
    /// alone 0.900 and 0.963 (it hears a synthetic B♭ minor as E♭ minor); EDMA 0.839 and 0.988; Temperley
    /// 0.817 and 0.772; Krumhansl-Kessler 0.794 and 0.992; Faraldo's `bgate` 0.750 and 0.976. Real music
    /// does not sound its scale degrees in the proportions of probe-tone ratings, nor synthetic chords in
    /// those of a corpus. `RealRecordingTempoKeyTests` and `AccuracyTests` keep checking the choice.
    public var profile: KeyProfile

    public init(profile: KeyProfile = .krumhanslAlbrecht) {
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
