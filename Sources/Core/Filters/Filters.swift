import MusicTheory

/// The structured form of a natural-language query (openapi.yaml's `Filters`).
///
/// Encodes with snake_case keys and writes `null` for every absent value the contract shows as
/// nullable, so clients always see the same set of fields.
public struct Filters: Sendable, Hashable {
    /// Which parser produced a set of filters.
    public enum Parser: String, Sendable, Codable { case rules, llm }

    public var bpm: NumericRange?
    public var key: KeyFilter?
    /// True when Camelot-compatible keys are welcome too.
    public var harmonic: Bool
    public var energy: NumericRange?
    /// Lower case, canonical names (see ``GenreVocabulary``).
    public var genres: [String]
    /// Lower case, canonical names (see ``MoodVocabulary``).
    public var moods: [String]
    public var instruments: [String]
    public var vocals: Vocals?
    public var duration: DurationRange?
    public var keywords: [String]
    public var exclude: [String]
    public var parser: Parser
    /// 0…1: how much of the query the parser understood.
    public var confidence: Double
    /// The prompt version, when ``parser`` is ``Parser/llm``.
    public var promptVersion: String?
    /// Why the rule parser answered although an LLM is configured.
    public var fallbackReason: String?

    /// Filters that constrain nothing.
    public init(
        bpm: NumericRange? = nil, key: KeyFilter? = nil, harmonic: Bool = false, energy: NumericRange? = nil,
        genres: [String] = [], moods: [String] = [], instruments: [String] = [], vocals: Vocals? = nil,
        duration: DurationRange? = nil, keywords: [String] = [], exclude: [String] = [], parser: Parser = .rules,
        confidence: Double = 0, promptVersion: String? = nil, fallbackReason: String? = nil
    ) {
        self.bpm = bpm
        self.key = key
        self.harmonic = harmonic
        self.energy = energy
        self.genres = genres
        self.moods = moods
        self.instruments = instruments
        self.vocals = vocals
        self.duration = duration
        self.keywords = keywords
        self.exclude = exclude
        self.parser = parser
        self.confidence = confidence
        self.promptVersion = promptVersion
        self.fallbackReason = fallbackReason
    }
}

/// Whether a track should have vocals; nil in ``Filters`` means either.
public enum Vocals: String, Sendable, Codable, CaseIterable { case instrumental, vocal }

/// A numeric range whose bounds are all optional (BPM, energy).
public struct NumericRange: Sendable, Hashable, Codable {
    public var min: Double?
    public var max: Double?
    public var target: Double?

    public init(min: Double? = nil, max: Double? = nil, target: Double? = nil) {
        self.min = min
        self.max = max
        self.target = target
    }

    /// True when `value` lies within the bounds that are set.
    public func contains(_ value: Double) -> Bool {
        if let min, value < min { return false }
        if let max, value > max { return false }
        return true
    }
}

/// A duration range in seconds.
public struct DurationRange: Sendable, Hashable, Codable {
    public var minSeconds: Double?
    public var maxSeconds: Double?

    public init(minSeconds: Double? = nil, maxSeconds: Double? = nil) {
        self.minSeconds = minSeconds
        self.maxSeconds = maxSeconds
    }

    enum CodingKeys: String, CodingKey {
        case minSeconds = "min_seconds"
        case maxSeconds = "max_seconds"
    }
}

/// A wanted key: openapi.yaml's `Key` shape, with the Camelot and Open Key codes derived from it.
public struct KeyFilter: Sendable, Hashable, Codable {
    public var key: MusicalKey

    public init(_ key: MusicalKey) { self.key = key }

    enum CodingKeys: String, CodingKey {
        case tonic, mode, camelot
        case openKey = "open_key"
    }

    /// Accepts `{"tonic", "mode"}` in any spelling ``PitchClass(name:)`` reads; the codes, when
    /// present, are ignored in favour of the ones derived from the tonic and mode.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let tonicName = try container.decode(String.self, forKey: .tonic)
        guard let tonic = PitchClass(name: tonicName) else {
            throw DecodingError.dataCorruptedError(forKey: .tonic, in: container, debugDescription: "Not a note name: \(tonicName).")
        }
        let mode = try container.decode(Mode.self, forKey: .mode)
        key = MusicalKey(tonic: tonic, mode: mode)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key.tonic.name, forKey: .tonic)
        try container.encode(key.mode, forKey: .mode)
        try container.encode(key.camelot.description, forKey: .camelot)
        try container.encode(key.openKey.description, forKey: .openKey)
    }
}

extension Filters: Codable {
    enum CodingKeys: String, CodingKey {
        case bpm, key, harmonic, energy, genres, moods, instruments, vocals, duration, keywords, exclude, parser, confidence
        case promptVersion = "prompt_version"
        case fallbackReason = "fallback_reason"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            bpm: try container.decodeIfPresent(NumericRange.self, forKey: .bpm),
            key: try container.decodeIfPresent(KeyFilter.self, forKey: .key),
            harmonic: try container.decodeIfPresent(Bool.self, forKey: .harmonic) ?? false,
            energy: try container.decodeIfPresent(NumericRange.self, forKey: .energy),
            genres: try container.decodeIfPresent([String].self, forKey: .genres) ?? [],
            moods: try container.decodeIfPresent([String].self, forKey: .moods) ?? [],
            instruments: try container.decodeIfPresent([String].self, forKey: .instruments) ?? [],
            vocals: try container.decodeIfPresent(Vocals.self, forKey: .vocals),
            duration: try container.decodeIfPresent(DurationRange.self, forKey: .duration),
            keywords: try container.decodeIfPresent([String].self, forKey: .keywords) ?? [],
            exclude: try container.decodeIfPresent([String].self, forKey: .exclude) ?? [],
            parser: try container.decodeIfPresent(Parser.self, forKey: .parser) ?? .rules,
            confidence: try container.decodeIfPresent(Double.self, forKey: .confidence) ?? 0,
            promptVersion: try container.decodeIfPresent(String.self, forKey: .promptVersion),
            fallbackReason: try container.decodeIfPresent(String.self, forKey: .fallbackReason))
    }

    /// Nullable fields are written as `null`, never left out (openapi.yaml lists every field).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(bpm, forKey: .bpm)
        try container.encode(key, forKey: .key)
        try container.encode(harmonic, forKey: .harmonic)
        try container.encode(energy, forKey: .energy)
        try container.encode(genres, forKey: .genres)
        try container.encode(moods, forKey: .moods)
        try container.encode(instruments, forKey: .instruments)
        try container.encode(vocals, forKey: .vocals)
        try container.encode(duration, forKey: .duration)
        try container.encode(keywords, forKey: .keywords)
        try container.encode(exclude, forKey: .exclude)
        try container.encode(parser, forKey: .parser)
        try container.encode(confidence, forKey: .confidence)
        try container.encodeIfPresent(promptVersion, forKey: .promptVersion)
        try container.encode(fallbackReason, forKey: .fallbackReason)
    }
}
