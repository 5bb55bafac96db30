import AudioTagging
import MusicTheory

/// What the engine measures of one track: openapi.yaml's `Analysis`, snake_case in JSON.
public struct Analysis: Sendable, Codable, Hashable {
    /// Bumped whenever a change to the engine changes results, so cached analyses are redone.
    public static let currentVersion = 4

    public var durationSeconds: Double
    /// Nil when no steady pulse is found (silence, a drone, a clip shorter than a few seconds).
    public var bpm: Double?
    public var bpmConfidence: Double
    /// Half and double the tempo: the other levels a listener might tap.
    public var bpmAlternatives: [Double]
    /// Nil when nothing tonal sounds (silence, unpitched noise).
    public var key: KeyDescription?
    public var energy: Double
    public var loudnessLufs: Double
    public var waveform: [Double]
    /// What the tagging network hears, mapped onto the parser's words, most probable first; nil when
    /// the engine ran without its weights (see `AudioTagger`).
    public var tags: [TagDescription]?
    /// The networks' tag probabilities (`AudioTagger.labels`, 100 values in 0…1): what similarity by
    /// sound compares. Nil without the weights.
    public var sound: [Double]?
    /// True in an answer given before the tags were heard (a search past its patience for
    /// tags, `SearchPipeline.Request.tagPatience`): `tags` and `sound` are nil for now and come with the next
    /// search. Written only when true; never stored.
    public var tagsPending = false
    public var analysisVersion: Int

    public init(
        durationSeconds: Double, bpm: Double?, bpmConfidence: Double, bpmAlternatives: [Double],
        key: KeyDescription?, energy: Double, loudnessLufs: Double, waveform: [Double],
        tags: [TagDescription]? = nil, sound: [Double]? = nil, analysisVersion: Int = Analysis.currentVersion
    ) {
        self.durationSeconds = durationSeconds
        self.bpm = bpm
        self.bpmConfidence = bpmConfidence
        self.bpmAlternatives = bpmAlternatives
        self.key = key
        self.energy = energy
        self.loudnessLufs = loudnessLufs
        self.waveform = waveform
        self.tags = tags
        self.sound = sound
        self.analysisVersion = analysisVersion
    }

    /// Sets `sound` to `probabilities` (rounded to 4 decimals) and `tags` to the meanings heard with
    /// a probability of at least `TagDescription.floor`, at most `TagDescription.limit` of them.
    public mutating func hear(_ probabilities: [Float], labels: [String]) {
        sound = probabilities.map { (Double($0) * 10_000).rounded() / 10_000 }
        tags = TagMeanings.probabilities(sound: probabilities, labels: labels)
            .filter { $0.value >= TagDescription.floor }
            .sorted { ($0.value, $1.key.kind.rawValue, $1.key.name) > ($1.value, $0.key.kind.rawValue, $0.key.name) }
            .prefix(TagDescription.limit)
            .map { TagDescription(kind: $0.key.kind, name: $0.key.name, probability: (($0.value * 1000).rounded() / 1000)) }
    }

    /// The probability heard of `name` as a `kind`: 0 when the tags do not list it, nil without tags.
    public func heard(_ name: String, kind: TagMeanings.Kind) -> Double? {
        guard let tags else { return nil }
        return tags.first { $0.kind == kind && $0.name == name }?.probability ?? 0
    }

    enum CodingKeys: String, CodingKey {
        case durationSeconds = "duration_seconds"
        case bpm
        case bpmConfidence = "bpm_confidence"
        case bpmAlternatives = "bpm_alternatives"
        case key, energy
        case loudnessLufs = "loudness_lufs"
        case waveform, tags, sound
        case tagsPending = "tags_pending"
        case analysisVersion = "analysis_version"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        durationSeconds = try container.decode(Double.self, forKey: .durationSeconds)
        bpm = try container.decodeIfPresent(Double.self, forKey: .bpm)
        bpmConfidence = try container.decode(Double.self, forKey: .bpmConfidence)
        bpmAlternatives = try container.decode([Double].self, forKey: .bpmAlternatives)
        key = try container.decodeIfPresent(KeyDescription.self, forKey: .key)
        energy = try container.decode(Double.self, forKey: .energy)
        loudnessLufs = try container.decode(Double.self, forKey: .loudnessLufs)
        waveform = try container.decode([Double].self, forKey: .waveform)
        tags = try container.decodeIfPresent([TagDescription].self, forKey: .tags)
        sound = try container.decodeIfPresent([Double].self, forKey: .sound)
        tagsPending = try container.decodeIfPresent(Bool.self, forKey: .tagsPending) ?? false
        analysisVersion = try container.decode(Int.self, forKey: .analysisVersion)
    }

    public func encode(to encoder: any Encoder) throws {
        // Written by hand so that a missing tempo or key is an explicit null, as the contract says.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(bpm, forKey: .bpm)
        try container.encode(bpmConfidence, forKey: .bpmConfidence)
        try container.encode(bpmAlternatives, forKey: .bpmAlternatives)
        try container.encode(key, forKey: .key)
        try container.encode(energy, forKey: .energy)
        try container.encode(loudnessLufs, forKey: .loudnessLufs)
        try container.encode(waveform, forKey: .waveform)
        try container.encode(tags, forKey: .tags)
        try container.encode(sound, forKey: .sound)
        if tagsPending { try container.encode(true, forKey: .tagsPending) }
        try container.encode(analysisVersion, forKey: .analysisVersion)
    }
}

/// openapi.yaml's `Key`: `{"tonic": "A", "mode": "minor", "camelot": "8A", "open_key": "1m", "confidence"}`.
public struct KeyDescription: Sendable, Codable, Hashable {
    public var tonic: String
    public var mode: String
    public var camelot: String
    public var openKey: String
    public var confidence: Double

    public init(_ key: MusicalKey, confidence: Double) {
        tonic = key.tonic.name
        mode = key.mode.rawValue
        camelot = key.camelot.description
        openKey = key.openKey.description
        self.confidence = confidence
    }

    /// The key described, when the spelling is one this project writes.
    public var musicalKey: MusicalKey? {
        guard let tonic = PitchClass(name: tonic), let mode = Mode(rawValue: mode) else { return nil }
        return MusicalKey(tonic: tonic, mode: mode)
    }

    enum CodingKeys: String, CodingKey {
        case tonic, mode, camelot
        case openKey = "open_key"
        case confidence
    }
}

/// One meaning heard in a track: `{"tag": "guitar", "kind": "instrument", "probability": 0.64}`
/// (openapi.yaml's names).
public struct TagDescription: Sendable, Codable, Hashable {
    /// Meanings heard less surely than this are not listed.
    public static let floor = 0.1
    /// At most this many are listed.
    public static let limit = 12

    public var kind: TagMeanings.Kind
    public var name: String
    public var probability: Double

    public init(kind: TagMeanings.Kind, name: String, probability: Double) {
        self.kind = kind
        self.name = name
        self.probability = probability
    }

    enum CodingKeys: String, CodingKey {
        case name = "tag"
        case kind, probability
    }
}
