import SynthesisVoices
/// A musical style the synthesiser can render.
///
/// Each genre fixes a tempo range, drum grammar, bass and chord idioms and a sound palette (see `GenreStyle`).
/// Raw values are the lower-case names used in file names and the API.
public enum Genre: String, CaseIterable, Sendable, Codable, Hashable {
    case techno
    case house
    case drumAndBass = "drum-and-bass"
    case hipHop = "hip-hop"
    case trance
    case dubstep
    case lofi = "lo-fi"
    case disco
    case reggaeton
    case ambient
}

extension Genre {
    /// The tempo range tracks of this genre are usually produced at, in beats per minute.
    ///
    /// Half-time genres (dubstep) and breakbeat genres (drum & bass) are given at the tempo DJs count, not the
    /// perceived half tempo.
    public var typicalBPM: ClosedRange<Double> {
        switch self {
        case .techno: 125...135
        case .house: 118...128
        case .drumAndBass: 160...178
        case .hipHop: 80...100
        case .trance: 132...140
        case .dubstep: 138...142
        case .lofi: 70...90
        case .disco: 110...124
        case .reggaeton: 88...100
        case .ambient: 70...96
        }
    }

    /// Mood words (lower case) that describe tracks of this genre, most typical first.
    public var moods: [String] {
        switch self {
        case .techno: ["dark", "driving", "hypnotic", "aggressive", "energetic"]
        case .house: ["groovy", "uplifting", "happy", "warm", "energetic"]
        case .drumAndBass: ["energetic", "dark", "aggressive", "uplifting", "driving"]
        case .hipHop: ["chill", "dark", "melancholic", "confident", "gritty"]
        case .trance: ["uplifting", "euphoric", "dreamy", "energetic", "melancholic"]
        case .dubstep: ["aggressive", "dark", "heavy", "energetic", "gritty"]
        case .lofi: ["chill", "melancholic", "dreamy", "nostalgic", "relaxed"]
        case .disco: ["happy", "groovy", "uplifting", "energetic", "funky"]
        case .reggaeton: ["energetic", "sensual", "happy", "romantic", "confident"]
        case .ambient: ["dreamy", "calm", "melancholic", "peaceful", "chill"]
        }
    }

    /// The swing a producer of this genre would typically dial in: a fraction of a swing unit (see
    /// `TrackSpec.swing`).
    public var defaultSwing: Double {
        switch self {
        case .techno, .trance, .reggaeton: 0
        case .house: 0.08
        case .drumAndBass: 0.03
        case .hipHop: 0.2
        case .dubstep: 0.05
        case .lofi: 0.25
        case .disco: 0.06
        case .ambient: 0.1
        }
    }

    /// The range of energies (0...1) tracks of this genre usually have.
    public var typicalEnergy: ClosedRange<Double> {
        switch self {
        case .techno: 0.55...0.95
        case .house: 0.45...0.85
        case .drumAndBass: 0.6...0.95
        case .hipHop: 0.35...0.7
        case .trance: 0.55...0.95
        case .dubstep: 0.6...0.95
        case .lofi: 0.2...0.45
        case .disco: 0.5...0.85
        case .reggaeton: 0.5...0.85
        case .ambient: 0.2...0.4
        }
    }
}

/// Where a mood word sits on the valence (sad…happy, -1...1) and arousal (calm…excited, 0...1) plane.
///
/// Used to pick moods that fit a track's mode and energy, and to nudge brightness and reverb while rendering.
struct MoodTraits: Sendable {
    var valence: Double
    var arousal: Double

    static func of(_ mood: String) -> MoodTraits {
        switch mood.lowercased() {
        case "dark": MoodTraits(valence: -0.6, arousal: 0.55)
        case "driving": MoodTraits(valence: 0.1, arousal: 0.8)
        case "hypnotic": MoodTraits(valence: -0.1, arousal: 0.55)
        case "aggressive": MoodTraits(valence: -0.5, arousal: 0.95)
        case "energetic": MoodTraits(valence: 0.3, arousal: 0.9)
        case "groovy": MoodTraits(valence: 0.5, arousal: 0.65)
        case "uplifting": MoodTraits(valence: 0.8, arousal: 0.75)
        case "happy": MoodTraits(valence: 0.9, arousal: 0.6)
        case "warm": MoodTraits(valence: 0.5, arousal: 0.45)
        case "chill": MoodTraits(valence: 0.3, arousal: 0.25)
        case "melancholic": MoodTraits(valence: -0.6, arousal: 0.3)
        case "euphoric": MoodTraits(valence: 0.9, arousal: 0.9)
        case "dreamy": MoodTraits(valence: 0.2, arousal: 0.2)
        case "heavy": MoodTraits(valence: -0.4, arousal: 0.9)
        case "nostalgic": MoodTraits(valence: -0.1, arousal: 0.3)
        case "relaxed": MoodTraits(valence: 0.4, arousal: 0.2)
        case "romantic": MoodTraits(valence: 0.5, arousal: 0.45)
        case "sensual": MoodTraits(valence: 0.3, arousal: 0.55)
        case "calm": MoodTraits(valence: 0.3, arousal: 0.1)
        case "peaceful": MoodTraits(valence: 0.5, arousal: 0.1)
        case "gritty": MoodTraits(valence: -0.3, arousal: 0.65)
        case "confident": MoodTraits(valence: 0.4, arousal: 0.65)
        case "funky": MoodTraits(valence: 0.6, arousal: 0.7)
        default: MoodTraits(valence: 0, arousal: 0.5)
        }
    }
}
