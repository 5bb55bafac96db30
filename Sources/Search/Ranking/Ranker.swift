import AudioAnalysis
import Catalogs
import Core
import MusicTheory

/// Distance of a track to the filters, per dimension: 0 is a perfect match, 1 as far as it gets.
public struct Distance: Sendable, Hashable, Codable {
    public init(bpm: Double, key: Double, energy: Double, text: Double, sound: Double? = nil) {
        self.bpm = bpm
        self.key = key
        self.energy = energy
        self.text = text
        self.sound = sound
    }

    public var bpm: Double
    public var key: Double
    public var energy: Double
    public var text: Double
    /// How far the track sounds from a reference (`/v1/similar`, `musicforge similar`); absent otherwise.
    public var sound: Double?
}

/// A candidate with its place in the ranking.
public struct RankedTrack: Sendable {
    public var candidate: Candidate
    public var analysis: Analysis?
    public var score: Double
    public var distance: Distance
    public var explanation: String
}

/// Scores candidates against filters.
///
/// Each constrained dimension gives a distance in 0…1; the score is 1 minus their weighted mean (over
/// the constrained dimensions only), so it is in 0…1. Tempo is judged at the measured BPM, its double
/// and its half (the octave the engine picked is a guess; a double or half match costs 0.1). Keys by
/// the Camelot wheel: the same key 0, a neighbour or the relative key 0.3 (0.1 when `harmonic`), the
/// parallel key 0.6, else the wheel distance, at least 0.7. Exclusions and durations outside the range
/// remove a candidate. Ties break by id, so the order is stable.
public struct Ranker: Sendable {
    public var weights: RankingWeights

    public init(weights: RankingWeights = .defaults) { self.weights = weights }

    /// How far off a BPM may be, relative, before its distance is 1.
    static let bpmSlack = 0.08
    /// How far off energy may be before its distance is 1.
    static let energySlack = 0.3

    /// Ranks `items` for `filters`; with a `reference` that has a sound, also by how close each sounds to it.
    public func rank(_ items: [(Candidate, Analysis?)], for filters: Filters, like reference: Analysis? = nil) -> [RankedTrack] {
        items.compactMap { candidate, analysis in score(candidate, analysis, filters, like: reference) }
            .sorted { ($0.score, $1.candidate.id) > ($1.score, $0.candidate.id) }
    }

    /// The candidate's score and why, or nil when the filters exclude it.
    public func score(_ candidate: Candidate, _ analysis: Analysis?, _ filters: Filters, like reference: Analysis? = nil) -> RankedTrack? {
        let words = Self.words(of: candidate)
        for excluded in filters.exclude where words.contains(excluded) || words.contains(where: { $0.hasPrefix(excluded + " ") }) {
            return nil
        }
        if let duration = filters.duration, let seconds = analysis?.durationSeconds ?? candidate.durationSeconds {
            if let low = duration.minSeconds, seconds < low { return nil }
            if let high = duration.maxSeconds, seconds > high { return nil }
        }

        var parts: [String] = []
        var weighted = 0.0
        var total = 0.0
        let bpm = Self.bpmDistance(analysis?.bpm, filters.bpm)
        if let wanted = filters.bpm {
            weighted += weights.bpm * bpm.distance
            total += weights.bpm
            let asked = wanted.target.map { Self.format($0) } ?? Self.describe(wanted)
            parts.append(
                analysis?.bpm.map { "\(Self.format($0, decimals: 1)) BPM\(bpm.octave) (wanted \(asked))" }
                    ?? "BPM unknown (wanted \(asked))")
        } else if let measured = analysis?.bpm {
            parts.append("\(Self.format(measured, decimals: 1)) BPM")
        }

        let trackKey = analysis?.key?.musicalKey
        let key = Self.keyDistance(trackKey, filters.key?.key, harmonic: filters.harmonic)
        if let wanted = filters.key?.key {
            weighted += weights.key * key.distance
            total += weights.key
            parts.append(trackKey.map { "\($0.camelot), \(key.label)" } ?? "key unknown (wanted \(wanted.camelot))")
        } else if let trackKey {
            parts.append("\(trackKey.camelot)")
        }

        let energy = Self.energyDistance(analysis?.energy, filters.energy)
        if filters.energy != nil {
            weighted += weights.energy * energy
            total += weights.energy
        }
        if let measured = analysis?.energy { parts.append("energy \(Self.format(measured, decimals: 2))") }

        let text = wordsAndSound(candidate, words: words, analysis: analysis, filters: filters, parts: &parts)
        if let text {
            weighted += weights.text * text
            total += weights.text
        }

        var soundDistance: Double?
        if let reference, reference.sound != nil {
            let closeness = SoundSimilarity.compare(reference, analysis)
            soundDistance = closeness?.distance ?? 1
            weighted += weights.sound * (soundDistance ?? 1)
            total += weights.sound
            if let closeness { parts.append(closeness.explanation) }
        }

        let score = total > 0 ? max(0, min(1, 1 - weighted / total)) : 1
        return RankedTrack(
            candidate: candidate, analysis: analysis, score: (score * 10_000).rounded() / 10_000,
            distance: Distance(
                bpm: Self.rounded(bpm.distance), key: Self.rounded(key.distance), energy: Self.rounded(energy), text: Self.rounded(text ?? 0),
                sound: soundDistance.map(Self.rounded)),
            explanation: parts.joined(separator: " · "))
    }

    // MARK: Dimensions

    /// The words of the query (genres, moods, instruments, keywords, and vocals) against the track's
    /// metadata and what the audio sounds like: each term the metadata matches counts 1, one only
    /// heard counts its `SoundEvidence` credit. Vocals count once the track's voice is known (heard,
    /// or said in its metadata). The distance is 1 minus the mean credit; nil when the query names
    /// none of these. Adds "matches …" and "sounds …" to the explanation.
    func wordsAndSound(
        _ candidate: Candidate, words: Set<String>, analysis: Analysis?, filters: Filters, parts: inout [String]
    ) -> Double? {
        let evidence = analysis.map(SoundEvidence.init)
        var matched: [String] = []
        var heard: [SoundEvidence.Heard] = []
        var credit = 0.0
        var count = 0
        let candidateText = Self.text(of: candidate)
        func judge(_ terms: [String], _ hear: (SoundEvidence, String) -> SoundEvidence.Heard?) {
            for term in terms {
                count += 1
                if words.contains(term) || candidateText.contains(term) {
                    matched.append(term)
                    credit += 1
                } else if let evidence, let sound = hear(evidence, term) {
                    heard.append(sound)
                    credit += sound.credit
                }
            }
        }
        judge(filters.genres) { $0.genre($1) }
        judge(filters.moods) { $0.mood($1) }
        judge(filters.instruments) { $0.instrument($1) }
        judge(filters.keywords) { $0.keyword($1) }
        if let wanted = filters.vocals, let voice = Self.voice(of: candidate, words: words, evidence: evidence) {
            count += 1
            let likeness = wanted == .vocal ? voice.likelihood : 1 - voice.likelihood
            credit += likeness
            if likeness >= 0.5 {
                if voice.heard {
                    heard.append(SoundEvidence.Heard(credit: likeness, name: wanted.rawValue, probability: likeness))
                } else {
                    matched.append(wanted.rawValue)
                }
            }
        }
        guard count > 0 else { return nil }
        if !matched.isEmpty { parts.append("matches \(matched.joined(separator: ", "))") }
        if !heard.isEmpty {
            parts.append("sounds " + heard.map { "\($0.name) \(Self.format($0.probability, decimals: 2))" }.joined(separator: " · "))
        }
        return 1 - credit / Double(count)
    }

    /// How likely the track has a voice (0…1), and whether that was heard rather than read: the
    /// metadata's "instrumental" or "vocals" first, else the tags; nil when neither says.
    static func voice(of candidate: Candidate, words: Set<String>, evidence: SoundEvidence?) -> (likelihood: Double, heard: Bool)? {
        if words.contains("instrumental") || words.contains("instrumentals") { return (0, false) }
        if words.contains("vocals") || words.contains("vocal") || words.contains("acapella") { return (1, false) }
        return evidence?.voice.map { ($0, true) }
    }

    static func bpmDistance(_ measured: Double?, _ wanted: NumericRange?) -> (distance: Double, octave: String) {
        guard let wanted else { return (0, "") }
        guard let measured, measured > 0 else { return (1, "") }
        var best = (distance: 1.0, octave: "")
        for (tempo, penalty, note) in [(measured, 0.0, ""), (measured * 2, 0.1, ", double time"), (measured / 2, 0.1, ", half time")] {
            var distance: Double
            if let low = wanted.min, tempo < low {
                distance = min(1, (low - tempo) / low / bpmSlack)
            } else if let high = wanted.max, tempo > high {
                distance = min(1, (tempo - high) / high / bpmSlack)
            } else if let target = wanted.target {
                // Inside the range: closer to the target is better, by a little.
                distance = min(0.2, abs(tempo - target) / target / bpmSlack * 0.2)
            } else {
                distance = 0
            }
            distance = min(1, distance + penalty)
            if distance < best.distance { best = (distance, note) }
        }
        return best
    }

    static func keyDistance(_ track: MusicalKey?, _ wanted: MusicalKey?, harmonic: Bool) -> (distance: Double, label: String) {
        guard let wanted else { return (0, "") }
        guard let track else { return (1, "unknown") }
        switch track.relation(to: wanted) {
        case .same: return (0, "same key")
        case .adjacent: return (harmonic ? 0.1 : 0.3, "adjacent to \(wanted.camelot)")
        case .relative: return (harmonic ? 0.1 : 0.3, "relative of \(wanted.camelot)")
        case .parallel: return (harmonic ? 0.5 : 0.6, "parallel of \(wanted.camelot)")
        case .distant: return (max(0.7, track.wheelDistance(to: wanted)), "far from \(wanted.camelot)")
        }
    }

    static func energyDistance(_ measured: Double?, _ wanted: NumericRange?) -> Double {
        guard let wanted else { return 0 }
        guard let measured else { return 1 }
        if let low = wanted.min, measured < low { return min(1, (low - measured) / energySlack) }
        if let high = wanted.max, measured > high { return min(1, (measured - high) / energySlack) }
        guard let target = wanted.target else { return 0 }
        return min(0.2, abs(measured - target) * 0.5)
    }

    // MARK: Helpers

    /// Tags and title words, lower case.
    static func words(of candidate: Candidate) -> Set<String> {
        var words = Set(candidate.tags.map { $0.lowercased() })
        for word in text(of: candidate).split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "-" && $0 != "&" }) {
            words.insert(String(word))
        }
        return words
    }

    static func text(of candidate: Candidate) -> String {
        ([candidate.title, candidate.artist ?? ""] + candidate.tags).joined(separator: " ").lowercased()
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    static func format(_ value: Double, decimals: Int = 0) -> String {
        guard decimals > 0 else { return String(Int(value.rounded())) }
        let scale = decimals == 1 ? 10.0 : 100.0
        return String((value * scale).rounded() / scale)
    }

    static func describe(_ range: NumericRange) -> String {
        switch (range.min, range.max) {
        case (let low?, let high?): "\(format(low))–\(format(high))"
        case (let low?, nil): "≥\(format(low))"
        case (nil, let high?): "≤\(format(high))"
        case (nil, nil): "any"
        }
    }
}
