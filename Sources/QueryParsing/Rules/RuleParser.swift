import Core
/// The built-in parser: free text to ``Filters`` by rules, with no outside service.
///
/// Matchers run in an order that settles ambiguity: durations first ("under 3 minutes" is not a
/// tempo), then exclusions ("no drums" is not a wish for drums), keys, explicit tempi, known phrases,
/// and last a bare number as the tempo ("128 techno"). What is left becomes keywords. With no tempo
/// given, a tempo word ("slow") or the first genre's typical range (``GenreVocabulary``) sets the BPM.
public struct RuleParser: Sendable {
    public init() {}

    /// The filters of `query`.
    public func parse(_ query: String) -> Filters { read(query).filters }

    /// `query` with case, accents, spacing and punctuation normalised, without parsing it: what caches
    /// key on (the same text as ``RuleReading/normalizedQuery``).
    public static func normalize(_ query: String) -> String { QueryText(query).normalized }

    /// The filters of `query`, with what the query stated outright.
    public func read(_ query: String) -> RuleReading {
        let text = QueryText(query)
        var state = ParseState(text)
        state.correctTypos()
        state.matchDecades()
        state.matchEnergyLevel()
        state.matchDurations()
        state.matchExclusions()
        state.matchKeys()
        state.matchTempo()
        state.matchPhrases()
        state.matchBareTempo()
        state.collectKeywords()
        state.settleTempo()
        state.settleEnergy()
        state.filters.keywords = state.keywords.sorted { $0.position < $1.position }.map(\.text)
        state.filters.parser = .rules
        state.filters.confidence = state.confidence
        return RuleReading(
            filters: state.filters, statesTempo: state.explicitBPM, statesKey: state.filters.key != nil,
            normalizedQuery: text.normalized)
    }
}

/// What the rule parser read, and which values the query stated in so many words.
public struct RuleReading: Sendable {
    public var filters: Filters
    /// A tempo was written as a number ("120bpm", "118-124", "128 techno"), not implied by a genre.
    public var statesTempo: Bool
    /// A key was written ("Am", "8A", "key of G").
    public var statesKey: Bool
    /// The query with case, accents, spacing and punctuation normalised: the cache key's text.
    public var normalizedQuery: String
}

extension ParseState {
    /// A tempo word or a genre's typical range, when the query named no tempo.
    mutating func settleTempo() {
        guard filters.bpm == nil else { return }
        let genreRange = filters.genres.lazy.compactMap { GenreVocabulary.named($0)?.defaultBPM }.first
        var range: ClosedRange<Double>?
        switch (tempoWord, genreRange) {
        case (nil, let genre?): range = genre
        case (let word?, nil): range = word.range
        case (let word?, let genre?):
            // "slow techno": the lower half of the genre's range; "fast house" the upper half.
            let middle = (genre.lowerBound + genre.upperBound) / 2
            let quarter = (genre.upperBound - genre.lowerBound) / 4
            switch word {
            case .verySlow, .slow: range = genre.lowerBound...middle
            case .medium: range = (genre.lowerBound + quarter)...(genre.upperBound - quarter)
            case .fast, .veryFast: range = middle...genre.upperBound
            }
        case (nil, nil): range = nil
        }
        if let range {
            filters.bpm = NumericRange(
                min: range.lowerBound, max: range.upperBound, target: ((range.lowerBound + range.upperBound) / 2).rounded())
        }
    }

    /// An explicit level wins; otherwise the moods' and occasions' hints, intersected where they
    /// overlap and spanned where they do not.
    mutating func settleEnergy() {
        if let explicitEnergy {
            filters.energy = explicitEnergy
            return
        }
        guard let first = energyHints.first else { return }
        var low = first.lowerBound
        var high = first.upperBound
        for hint in energyHints.dropFirst() {
            let overlapLow = max(low, hint.lowerBound)
            let overlapHigh = min(high, hint.upperBound)
            if overlapLow <= overlapHigh {
                (low, high) = (overlapLow, overlapHigh)
            } else {
                (low, high) = (min(low, hint.lowerBound), max(high, hint.upperBound))
            }
        }
        filters.energy = NumericRange(min: low, max: high, target: ((low + high) / 2 * 100).rounded() / 100)
    }

    /// How much of the query's content was understood: 0.3 plus up to 0.65 for the share of content
    /// tokens a matcher took, less 0.05 per typo corrected. Zero for a query with no content.
    var confidence: Double {
        var content = 0.0
        var understood = 0.0
        for (token, use) in zip(tokens, uses) where token.kind != .symbol {
            switch use {
            case .matched(let weight):
                content += 1
                understood += weight
            case .keyword:
                content += 1
            case .free:
                continue
            }
        }
        guard content > 0 else { return 0 }
        let score = 0.3 + 0.65 * understood / content - 0.05 * Double(corrections)
        return (min(0.95, max(0.05, score)) * 100).rounded() / 100
    }
}
