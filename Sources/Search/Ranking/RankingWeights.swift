import Foundation

/// How much each dimension counts in a score. Only the dimensions a query constrains count: a query
/// that names no key is ranked on the others alone.
public struct RankingWeights: Sendable, Hashable, Codable {
    public var bpm: Double
    public var key: Double
    public var energy: Double
    public var text: Double
    /// Closeness in sound to a reference track; counts only when ranking tracks like one.
    public var sound: Double

    /// The defaults: tempo first (a DJ cannot mix off-tempo), then key, then words, then energy; for
    /// tracks like a reference, its sound as much as its tempo.
    public static let defaults = RankingWeights(bpm: 0.35, key: 0.25, energy: 0.15, text: 0.25, sound: 0.35)

    public init(bpm: Double, key: Double, energy: Double, text: Double, sound: Double = 0.35) {
        self.bpm = bpm
        self.key = key
        self.energy = energy
        self.text = text
        self.sound = sound
    }

    /// Parses `bpm=0.4,key=0.3,energy=0.1,text=0.2,sound=0.35` (`RANKING_WEIGHTS`); missing names keep their
    /// default. Nil for anything malformed or negative.
    public init?(parsing text: String) {
        var weights = RankingWeights.defaults
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let value = Double(pair[1]), value >= 0, value.isFinite else { return nil }
            switch pair[0].lowercased() {
            case "bpm": weights.bpm = value
            case "key": weights.key = value
            case "energy": weights.energy = value
            case "text": weights.text = value
            case "sound": weights.sound = value
            default: return nil
            }
        }
        self = weights
    }
}
