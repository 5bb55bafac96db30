import AudioAnalysis

/// How alike two tracks sound: the distance between their `sound` vectors (the tagging networks'
/// 100 probabilities), scaled to 0…1, and the meanings both are heard to have.
enum SoundSimilarity {
    /// The Euclidean distance at which two tracks count as sounding nothing alike: about what lies
    /// between a solo guitar piece and a techno track.
    static let farDistance = 1.5
    /// A meaning both tracks are heard to have at least this surely is named in the explanation.
    static let sharedProbability = 0.3

    /// Nil when either has no sound vector (tags off, or not analysed).
    static func compare(_ reference: Analysis, _ analysis: Analysis?) -> (distance: Double, explanation: String)? {
        guard let a = reference.sound, let b = analysis?.sound, a.count == b.count, !a.isEmpty else { return nil }
        let euclidean = zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let distance = min(1, euclidean / farDistance)
        let theirs = Dictionary((analysis?.tags ?? []).map { ("\($0.kind.rawValue):\($0.name)", $0.probability) }, uniquingKeysWith: max)
        let shared = (reference.tags ?? []).filter { tag in
            tag.probability >= sharedProbability && (theirs["\(tag.kind.rawValue):\(tag.name)"] ?? 0) >= sharedProbability
        }.prefix(3).map(\.name)
        var explanation = "sounds alike \(Ranker.format(1 - distance, decimals: 2))"
        if !shared.isEmpty { explanation += " (both \(shared.joined(separator: ", ")))" }
        return (distance, explanation)
    }
}
