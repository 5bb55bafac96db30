import Core
/// Typo correction towards the vocabulary: "tehcno" → "techno", "minro" → "minor", "instrumnetal" →
/// "instrumental".
///
/// Only unknown words of five letters or more are corrected, only to a vocabulary word with the same
/// first letter, within one edit (two from eight letters), where an edit is an insertion, deletion,
/// substitution or swap of neighbours (optimal string alignment distance). A word with two equally
/// near candidates is left alone.
extension ParseState {
    private static let targetsByInitial: [UInt8: [[UInt8]]] = Dictionary(grouping: Vocabulary.correctionTargets) { $0[0] }

    mutating func correctTypos() {
        for index in tokens.indices where tokens[index].kind == .word {
            let word = tokens[index].text
            guard word.utf8.count >= 5, !Vocabulary.knownWords.contains(word),
                let corrected = Self.correction(of: Array(word.utf8))
            else { continue }
            tokens[index].text = corrected
            corrections += 1
        }
        if corrections > 0 { numberWords = Self.numberWords(in: tokens) }
    }

    private static func correction(of word: [UInt8]) -> String? {
        guard let candidates = targetsByInitial[word[0]] else { return nil }
        let allowed = word.count >= 8 ? 2 : 1
        var best: [UInt8]?
        var bestDistance = allowed + 1
        var tie = false
        for candidate in candidates where abs(candidate.count - word.count) <= allowed {
            let distance = editDistance(word, candidate, limit: allowed)
            if distance < bestDistance {
                best = candidate
                bestDistance = distance
                tie = false
            } else if distance == bestDistance {
                tie = true
            }
        }
        guard let best, !tie else { return nil }
        return String(decoding: best, as: UTF8.self)
    }

    /// Optimal string alignment distance, giving up (returning `limit + 1`) once every cell of a row
    /// passes `limit`.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > limit { return limit + 1 }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
