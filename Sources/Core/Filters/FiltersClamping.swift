/// Bringing filters from outside (an LLM's answer) within what the service accepts.
extension Filters {
    /// Tempo bounds any filters may carry.
    public static let bpmLimits: ClosedRange<Double> = 40...220
    /// Longest duration bound, in seconds.
    public static let durationLimit: Double = 4 * 3600
    /// Most entries kept per list, and longest entry.
    public static let listLimit = 12
    public static let entryLimit = 64

    /// The filters with numbers clamped (BPM 40–220, energy 0–1, durations 0–4 h, confidence 0–1),
    /// bounds put in order, lists lower-cased, trimmed, de-duplicated and capped, and genre, mood and
    /// instrument names mapped to the rule parser's canonical ones ("drum and bass" → "drum-and-bass").
    public func clamped() -> Filters {
        var result = self
        result.bpm = Self.clamp(bpm, to: Self.bpmLimits)
        result.energy = Self.clamp(energy, to: 0...1)
        if let duration {
            let range = Self.clamp(
                NumericRange(min: duration.minSeconds, max: duration.maxSeconds), to: 0...Self.durationLimit)
            result.duration = range.map { DurationRange(minSeconds: $0.min, maxSeconds: $0.max) }
        }
        result.genres = Self.clean(genres) { Vocabulary.canonical($0, kind: .genre) }
        result.moods = Self.clean(moods) { Vocabulary.canonical($0, kind: .mood) }
        result.instruments = Self.clean(instruments) { Vocabulary.canonical($0, kind: .instrument) }
        result.keywords = Self.clean(keywords) { _ in nil }
        result.exclude = Self.clean(exclude) { _ in nil }
        result.confidence = confidence.isFinite ? Swift.min(1, Swift.max(0, confidence)) : 0.5
        return result
    }

    private static func clamp(_ range: NumericRange?, to limits: ClosedRange<Double>) -> NumericRange? {
        guard let range else { return nil }
        func limit(_ value: Double?) -> Double? {
            guard let value, value.isFinite else { return nil }
            return Swift.min(limits.upperBound, Swift.max(limits.lowerBound, value))
        }
        var low = limit(range.min)
        var high = limit(range.max)
        if let a = low, let b = high, a > b { (low, high) = (b, a) }
        var target = limit(range.target)
        if let value = target {
            target = Swift.min(high ?? value, Swift.max(low ?? value, value))
        }
        if low == nil && high == nil && target == nil { return nil }
        return NumericRange(min: low, max: high, target: target)
    }

    private static func clean(_ list: [String], canonical: (String) -> String?) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for entry in list {
            let text = String(entry.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ").prefix(entryLimit))
            guard !text.isEmpty else { continue }
            let name = canonical(text) ?? text
            if seen.insert(name).inserted { result.append(name) }
            if result.count == listLimit { break }
        }
        return result
    }
}

extension Vocabulary {
    enum TagKind { case genre, mood, instrument }

    /// The canonical genre, mood or instrument name `text` stands for when the whole of it is one known
    /// phrase (of `kind`, when given).
    static func canonical(_ text: String, kind: TagKind? = nil) -> String? {
        switch (phrases[key(text)], kind) {
        case (.genre(let name), nil), (.genre(let name), .genre?): name
        case (.mood(let name), nil), (.mood(let name), .mood?): name
        case (.instrument(let name), nil), (.instrument(let name), .instrument?): name
        default: nil
        }
    }
}

/// The rule parser's vocabulary for tags from elsewhere (folder names, file tags, provider tags), so
/// that "Drum & Bass" in a folder name and "dnb" in a query meet as "drum-and-bass".
public enum TagVocabulary {
    /// The canonical genre, mood or instrument name `text` stands for, or `text` lower-cased.
    public static func canonical(_ text: String) -> String { Vocabulary.canonical(text) ?? text.lowercased() }

    /// Whether `name` is a canonical genre, mood or instrument.
    public static func isKnown(_ name: String) -> Bool { Vocabulary.canonical(name) == name }
}
