import AudioAnalysis
import Catalogs
import MusicTheory
import QueryParsing

/// Distance of a track to the filters, per dimension: 0 is a perfect match, 1 as far as it gets.
public struct Distance: Sendable, Hashable, Codable {
    public init(bpm: Double, key: Double, energy: Double, text: Double) {
        self.bpm = bpm
        self.key = key
        self.energy = energy
        self.text = text
    }

    public var bpm: Double
    public var key: Double
    public var energy: Double
    public var text: Double
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

    public func rank(_ items: [(Candidate, Analysis?)], for filters: Filters) -> [RankedTrack] {
        items.compactMap { candidate, analysis in score(candidate, analysis, filters) }
            .sorted { ($0.score, $1.candidate.id) > ($1.score, $0.candidate.id) }
    }

    /// The candidate's score and why, or nil when the filters exclude it.
    public func score(_ candidate: Candidate, _ analysis: Analysis?, _ filters: Filters) -> RankedTrack? {
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

        let terms = filters.genres + filters.moods + filters.instruments + filters.keywords
        var text = 0.0
        if !terms.isEmpty {
            let candidateText = Self.text(of: candidate)
            let matched = terms.filter { term in words.contains(term) || candidateText.contains(term) }
            text = 1 - Double(matched.count) / Double(terms.count)
            weighted += weights.text * text
            total += weights.text
            if !matched.isEmpty { parts.append("matches \(matched.joined(separator: ", "))") }
        }

        let score = total > 0 ? max(0, min(1, 1 - weighted / total)) : 1
        return RankedTrack(
            candidate: candidate, analysis: analysis, score: (score * 10_000).rounded() / 10_000,
            distance: Distance(
                bpm: Self.rounded(bpm.distance), key: Self.rounded(key.distance), energy: Self.rounded(energy), text: Self.rounded(text)),
            explanation: parts.joined(separator: " · "))
    }

    // MARK: Dimensions

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
