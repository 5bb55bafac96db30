import Core
import MusicTheory

/// The rule parser's working state for one query: the tokens, which of them a matcher has taken,
/// and what the matchers found so far. Matchers are extensions in their own files.
struct ParseState {
    enum Use: Equatable {
        case free
        /// Understood by a matcher; `weight` is how much it counts for confidence (1 full, less for a guess).
        case matched(weight: Double)
        case keyword
    }

    var tokens: [QueryText.Token]
    var uses: [Use]
    /// The number spelled in words from each position ("one twenty eight"), read once: the duration
    /// and tempo matchers ask at every position they try. Read again when a typo is corrected.
    var numberWords: [(value: Int, length: Int)?]
    var filters = Filters()
    /// Keywords with the position they came from, so they come out in the order of the query.
    var keywords: [(position: Int, text: String)] = []
    var explicitBPM = false
    var tempoWord: Vocabulary.TempoWord?
    var explicitEnergy: NumericRange?
    var energyHints: [ClosedRange<Double>] = []
    var corrections = 0

    init(_ text: QueryText) {
        tokens = text.tokens
        uses = Array(repeating: .free, count: tokens.count)
        numberWords = Self.numberWords(in: text.tokens)
    }

    static func numberWords(in tokens: [QueryText.Token]) -> [(value: Int, length: Int)?] {
        tokens.indices.map { tokens[$0].kind == .word ? NumberWords.parse(tokens, at: $0) : nil }
    }

    // MARK: Reading tokens

    func isFree(_ index: Int) -> Bool { index < tokens.count && uses[index] == .free }

    /// The text of a free token at `index`, or nil past the end or when taken.
    func text(_ index: Int) -> String? { isFree(index) ? tokens[index].text : nil }

    /// The text of a free word token.
    func word(_ index: Int) -> String? { isFree(index) && tokens[index].kind == .word ? tokens[index].text : nil }

    /// The value of a free number token.
    func number(_ index: Int) -> Double? { isFree(index) ? tokens[index].number : nil }

    func isGlued(_ index: Int) -> Bool { index < tokens.count && tokens[index].glued }

    /// True when the free tokens from `index` spell `phrase` (words separated by spaces).
    func matches(_ phrase: [String], at index: Int) -> Bool {
        guard index + phrase.count <= tokens.count else { return false }
        for (offset, part) in phrase.enumerated() {
            guard isFree(index + offset), Self.same(tokens[index + offset].text, part) else { return false }
        }
        return true
    }

    /// The length of the first of `phrases` found at `index`, or nil.
    func firstMatch(of phrases: [[String]], at index: Int) -> Int? {
        guard isFree(index) else { return nil }
        let first = tokens[index].text
        for phrase in phrases where Self.same(first, phrase[0]) && matches(phrase, at: index) { return phrase.count }
        return nil
    }

    /// String equality that settles most unequal pairs on their lengths: phrase lists are tried at
    /// every position, and almost every comparison fails.
    @inline(__always)
    static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a == b
    }

    // MARK: Recording

    mutating func take(_ range: Range<Int>, weight: Double = 1) {
        for index in range where index < uses.count { uses[index] = .matched(weight: weight) }
    }

    mutating func addKeyword(_ text: String, at position: Int) {
        guard !keywords.contains(where: { $0.text == text }) else { return }
        keywords.append((position, text))
    }

    mutating func appendUnique(_ value: String, to path: WritableKeyPath<Filters, [String]>) {
        if !filters[keyPath: path].contains(value) { filters[keyPath: path].append(value) }
    }

    /// Adds a BPM range; a second explicit tempo widens the first rather than replacing it.
    mutating func addBPM(_ range: NumericRange) {
        defer { explicitBPM = true }
        guard let current = filters.bpm, explicitBPM else {
            filters.bpm = range
            return
        }
        filters.bpm = NumericRange(
            min: [current.min, range.min].compactMap { $0 }.min(),
            max: [current.max, range.max].compactMap { $0 }.max(),
            target: nil)
    }
}
