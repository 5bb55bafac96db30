import AudioAnalysis
import AudioTagging

/// What the audio itself says about a query's words: the tagging network's probabilities (through
/// `Analysis.tags`), and for moods also the tempo, energy and mode the engine measured.
///
/// A word the metadata matches counts fully. One only heard counts for at most `maxCredit`, reached at
/// a probability of `sureProbability`: the network can be wrong, the metadata's author rarely is.
struct SoundEvidence {
    static let maxCredit = 0.8
    static let sureProbability = 0.9

    let analysis: Analysis

    /// The credit (0…`maxCredit`) and the heard name and probability behind it, for a term of the query.
    struct Heard {
        var credit: Double
        var name: String
        var probability: Double
    }

    /// How surely a probability counts, 0…1.
    static func sureness(_ probability: Double) -> Double { min(1, probability / sureProbability) }

    func genre(_ name: String) -> Heard? { best(Self.genreSounds[name] ?? [name], kind: .genre) }

    func instrument(_ name: String) -> Heard? {
        if name == "acoustic guitar", let guitar = best(["guitar"], kind: .instrument), let acoustic = best(["acoustic"], kind: .genre) {
            return Heard(credit: min(guitar.credit, acoustic.credit), name: "acoustic guitar", probability: min(guitar.probability, acoustic.probability))
        }
        return best(Self.instrumentSounds[name] ?? [name], kind: .instrument)
    }

    /// A keyword the vocabulary knows as a kind of voice ("female vocals", "male vocals").
    func keyword(_ word: String) -> Heard? {
        switch word {
        case "female vocals": best(["female"], kind: .vocals)
        case "male vocals": best(["male"], kind: .vocals)
        default: nil
        }
    }

    /// A mood: the mean of its cues (`MoodCues`), the tag cues heard, the others measured.
    func mood(_ name: String) -> Heard? {
        guard analysis.tags != nil, let cues = MoodCues.table[name] else { return nil }
        let scores = cues.map(score)
        let mean = scores.reduce(0, +) / Double(scores.count)
        guard mean > 0 else { return nil }
        return Heard(credit: Self.maxCredit * mean, name: name, probability: (mean * 100).rounded() / 100)
    }

    /// How likely a voice is: the most probable of vocal, female and male against instrumental.
    var voice: Double? {
        guard analysis.tags != nil else { return nil }
        let sung = ["vocal", "female", "male"].compactMap { analysis.heard($0, kind: .vocals) }.max() ?? 0
        let instrumental = analysis.heard("instrumental", kind: .vocals) ?? 0
        return max(0, min(1, 0.5 + (sung - instrumental) / 2))
    }

    private func best(_ names: [String], kind: TagMeanings.Kind) -> Heard? {
        let heard = names.compactMap { name in analysis.heard(name, kind: kind).map { (name, $0) } }
        guard let (name, probability) = heard.max(by: { $0.1 < $1.1 }), probability >= TagDescription.floor else { return nil }
        return Heard(credit: Self.maxCredit * Self.sureness(probability), name: name, probability: probability)
    }

    private func score(_ cue: MoodCues.Cue) -> Double {
        switch cue {
        case .tag(let kind, let name): return Self.sureness(analysis.heard(name, kind: kind) ?? 0)
        case .lowEnergy: return ramp(analysis.energy, from: 0.6, to: 0.35)
        case .middleEnergy: return min(ramp(analysis.energy, from: 0.15, to: 0.35), ramp(analysis.energy, from: 0.85, to: 0.65))
        case .highEnergy: return ramp(analysis.energy, from: 0.45, to: 0.7)
        case .slow: return analysis.bpm.map { ramp($0, from: 115, to: 90) } ?? 0.5
        case .fast: return analysis.bpm.map { ramp($0, from: 100, to: 120) } ?? 0.5
        case .danceTempo: return analysis.bpm.map { min(ramp($0, from: 95, to: 110), ramp($0, from: 150, to: 135)) } ?? 0.5
        case .major: return analysis.key.map { $0.mode == "major" ? 1 : 0 } ?? 0.5
        case .minor: return analysis.key.map { $0.mode == "minor" ? 1 : 0 } ?? 0.5
        }
    }

    /// 0 at `from`, 1 at `to`, linear between (either direction).
    private func ramp(_ value: Double, from: Double, to: Double) -> Double {
        max(0, min(1, (value - from) / (to - from)))
    }

    /// The heard genres that stand for a query's genre (the network knows 19; the parser 52).
    static let genreSounds: [String: [String]] = [
        "techno": ["techno"], "melodic techno": ["techno"], "minimal": ["techno"],
        "house": ["house"], "deep house": ["house"], "tech house": ["house", "techno"], "progressive house": ["house"],
        "afro house": ["house"], "electro house": ["house", "electro"], "electro": ["electro"],
        "drum-and-bass": ["electronica"], "jungle": ["electronica"], "breakbeat": ["electronica"], "dubstep": ["electronica"],
        "trance": ["electronica"], "psytrance": ["electronica"], "synthwave": ["electronica"], "future bass": ["electronica"],
        "electronica": ["electronica"], "downtempo": ["chillout", "electronica"], "chillout": ["chillout"],
        "lo-fi": ["hip-hop", "chillout"], "hip-hop": ["hip-hop"], "trap": ["hip-hop"], "r&b": ["r&b", "soul"],
        "soul": ["soul"], "funk": ["funk"], "disco": ["funk"], "nu-disco": ["funk", "house"], "jazz": ["jazz"],
        "pop": ["pop"], "indie": ["indie"], "rock": ["rock"], "metal": ["metal"], "folk": ["folk"],
        "country": ["country"], "classical": ["classical"], "cinematic": ["classical"], "ambient": ["ambient"],
        "acoustic": ["acoustic"],
    ]

    /// The heard instruments that stand for a query's instrument.
    static let instrumentSounds: [String: [String]] = [
        "guitar": ["guitar"], "electric guitar": ["guitar"], "piano": ["piano"], "rhodes": ["piano"],
        "strings": ["strings", "violin", "cello"], "violin": ["violin", "strings"], "cello": ["cello", "strings"],
        "drums": ["drums"], "percussion": ["drums"], "synth": ["synth"], "pads": ["synth"], "flute": ["flute"],
        "harp": ["harp"], "choir": ["choir"], "sitar": ["sitar"],
    ]
}

/// How each mood is heard: the tags that carry it and what tempo, energy and mode it implies (the
/// network's own mood tags are weak, so they are one cue among several). README, "Moods".
enum MoodCues {
    enum Cue: Sendable {
        case tag(TagMeanings.Kind, String)
        case lowEnergy, middleEnergy, highEnergy, slow, fast, danceTempo, major, minor
    }

    static let table: [String: [Cue]] = [
        "calm": [.tag(.mood, "calm"), .lowEnergy, .slow],
        "peaceful": [.tag(.mood, "calm"), .lowEnergy, .slow],
        "relaxed": [.tag(.mood, "relaxed"), .lowEnergy, .slow],
        "chill": [.tag(.mood, "chill"), .lowEnergy, .slow],
        "dreamy": [.tag(.genre, "ambient"), .lowEnergy, .slow],
        "melancholic": [.tag(.mood, "melancholic"), .minor, .slow, .lowEnergy],
        "romantic": [.tag(.mood, "sensual"), .slow, .middleEnergy],
        "sensual": [.tag(.mood, "sensual"), .middleEnergy, .slow],
        "warm": [.tag(.genre, "soul"), .middleEnergy, .major],
        "happy": [.tag(.mood, "happy"), .major, .fast, .danceTempo],
        "uplifting": [.tag(.mood, "happy"), .major, .highEnergy],
        "groovy": [.tag(.genre, "funk"), .danceTempo, .middleEnergy],
        "funky": [.tag(.genre, "funk"), .danceTempo, .middleEnergy],
        "energetic": [.highEnergy, .fast, .tag(.instrument, "drums")],
        "driving": [.highEnergy, .danceTempo, .tag(.instrument, "drums")],
        "euphoric": [.highEnergy, .major, .danceTempo],
        "aggressive": [.tag(.genre, "metal"), .highEnergy, .fast],
        "heavy": [.tag(.genre, "metal"), .highEnergy],
        "gritty": [.tag(.genre, "rock"), .highEnergy],
        "dark": [.minor, .tag(.genre, "electronica")],
        "mysterious": [.minor, .tag(.genre, "ambient")],
        "hypnotic": [.tag(.genre, "techno"), .danceTempo],
        "epic": [.tag(.genre, "classical"), .highEnergy],
        "nostalgic": [.middleEnergy],
        "confident": [.tag(.genre, "hip-hop"), .middleEnergy],
    ]
}
