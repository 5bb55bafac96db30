import MusicTheory

/// What the engine measures of one track: DESIGN.md's Analysis, snake_case in JSON.
public struct Analysis: Sendable, Codable, Hashable {
    /// Bumped whenever a change to the engine changes results, so cached analyses are redone.
    public static let currentVersion = 2

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
    public var analysisVersion: Int

    public init(
        durationSeconds: Double, bpm: Double?, bpmConfidence: Double, bpmAlternatives: [Double],
        key: KeyDescription?, energy: Double, loudnessLufs: Double, waveform: [Double],
        analysisVersion: Int = Analysis.currentVersion
    ) {
        self.durationSeconds = durationSeconds
        self.bpm = bpm
        self.bpmConfidence = bpmConfidence
        self.bpmAlternatives = bpmAlternatives
        self.key = key
        self.energy = energy
        self.loudnessLufs = loudnessLufs
        self.waveform = waveform
        self.analysisVersion = analysisVersion
    }

    enum CodingKeys: String, CodingKey {
        case durationSeconds = "duration_seconds"
        case bpm
        case bpmConfidence = "bpm_confidence"
        case bpmAlternatives = "bpm_alternatives"
        case key, energy
        case loudnessLufs = "loudness_lufs"
        case waveform
        case analysisVersion = "analysis_version"
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
        try container.encode(analysisVersion, forKey: .analysisVersion)
    }
}

/// DESIGN.md's Key: `{"tonic": "A", "mode": "minor", "camelot": "8A", "open_key": "1m", "confidence"}`.
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
