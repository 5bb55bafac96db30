import SynthesisVoices
/// Scales, chords and progressions, all as pitch classes relative to the key's tonic.
enum Scale {
    /// Semitones above the tonic: the major scale, and natural minor (aeolian) for minor keys.
    static func intervals(_ mode: Mode) -> [Int] {
        switch mode {
        case .major: [0, 2, 4, 5, 7, 9, 11]
        case .minor: [0, 2, 3, 5, 7, 8, 10]
        }
    }
}

/// A chord as a root (semitones above the key's tonic) and intervals above that root.
struct Chord: Sendable, Equatable {
    /// Semitones above the tonic, 0..<12.
    var root: Int
    /// Semitones above the root, ascending, starting with 0 (may exceed 12 for ninths).
    var intervals: [Int]

    /// The chord's pitch classes relative to the tonic.
    var relativePitchClasses: [Int] { intervals.map { (root + $0) % 12 } }

    /// Root, third and fifth (and the seventh if present): the tones a melody may land on.
    var coreTones: [Int] { intervals.filter { $0 < 12 }.map { (root + $0) % 12 } }

    /// Parses a roman numeral against `mode`: the numeral picks the scale degree ("III" in minor is the minor
    /// scale's third degree, 3 semitones up), case picks major/minor, a "b"/"#" prefix alters the root, and a
    /// suffix adds colour: "7", "maj7", "9", "maj9", "add9", "sus2", "sus4", "o" (diminished).
    /// "V" in minor is therefore the harmonic-minor dominant, with the leading tone.
    init(numeral text: String, mode: Mode) {
        var rest = Substring(text)
        var alteration = 0
        if rest.hasPrefix("b") {
            alteration = -1
            rest = rest.dropFirst()
        } else if rest.hasPrefix("#") {
            alteration = 1
            rest = rest.dropFirst()
        }
        let numeral = rest.prefix { "IViv".contains($0) }
        rest = rest.dropFirst(numeral.count)
        let degrees = ["i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7]
        guard let degree = degrees[numeral.lowercased()] else {
            preconditionFailure("bad chord numeral \(text)")
        }
        let isMajor = numeral.first?.isUppercase ?? true
        root = (Scale.intervals(mode)[degree - 1] + alteration + 12) % 12
        var chord: [Int] = isMajor ? [0, 4, 7] : [0, 3, 7]
        switch rest {
        case "": break
        case "7": chord.append(10)
        case "maj7": chord.append(11)
        case "9": chord += [10, 14]
        case "maj9": chord += [11, 14]
        case "add9": chord.append(14)
        case "sus2": chord = [0, 2, 7]
        case "sus4": chord = [0, 5, 7]
        case "o": chord = [0, 3, 6]
        default: preconditionFailure("bad chord suffix \(text)")
        }
        intervals = chord
    }
}

/// A looping chord progression: chords with their lengths in beats, repeating every `lengthBars` bars.
struct Progression: Sendable {
    struct Entry: Sendable {
        var chord: Chord
        var startBeat: Double
        var beats: Double
    }

    let entries: [Entry]
    let lengthBars: Int

    /// Parses e.g. "i:2 VI:1 VII:0.5 i:0.5": numerals with lengths in bars (4/4).
    init(_ text: String, mode: Mode) {
        var entries: [Entry] = []
        var beat = 0.0
        for token in text.split(separator: " ") {
            let parts = token.split(separator: ":")
            let bars = parts.count > 1 ? Double(parts[1]) ?? 1 : 1
            entries.append(Entry(chord: Chord(numeral: String(parts[0]), mode: mode), startBeat: beat, beats: bars * 4))
            beat += bars * 4
        }
        self.entries = entries
        lengthBars = max(1, Int((beat / 4).rounded(.up)))
    }

    /// The chord sounding at `step` (16ths, may be fractional) of `bar`.
    func chord(bar: Int, step: Double) -> Chord { entry(bar: bar, step: step).chord }

    func entry(bar: Int, step: Double) -> Entry {
        let beat = Double(bar % lengthBars) * 4 + step / 4
        for entry in entries where beat < entry.startBeat + entry.beats - 1e-9 {
            return entry
        }
        return entries[entries.count - 1]
    }

    /// Steps (16ths within the bar) at which a new chord begins in `bar`.
    func changeSteps(bar: Int) -> [Double] {
        let barBeat = Double(bar % lengthBars) * 4
        return entries.compactMap { entry in
            let offset = entry.startBeat - barBeat
            return offset >= 0 && offset < 4 ? offset * 4 : nil
        }
    }
}

/// Places chord tones in the octave around middle C with smooth voice leading.
enum Voicing {
    /// MIDI notes for `chord` in the key `tonic`, choosing the inversion nearest the previous voicing (or nearest
    /// `centre` when there is none) within MIDI 50…79.
    static func voice(_ chord: Chord, tonic: Int, previous: [Int]?, centre: Int = 62) -> [Int] {
        let rootPitchClass = (tonic + chord.root) % 12
        var base = rootPitchClass + 48
        if base < 50 { base += 12 }
        let rootPosition = chord.intervals.map { base + $0 }
        var candidates: [[Int]] = []
        var current = rootPosition
        for _ in 0..<chord.intervals.count {
            for shift in [-12, 0, 12] {
                let shifted = current.map { $0 + shift }
                if shifted.min()! >= 50 && shifted.max()! <= 79 { candidates.append(shifted) }
            }
            // Next inversion: the lowest note goes up an octave.
            var next = current.sorted()
            next.append(next.removeFirst() + 12)
            current = next
        }
        if candidates.isEmpty { candidates = [rootPosition] }
        func cost(_ notes: [Int]) -> Double {
            let sorted = notes.sorted()
            let mean = Double(sorted.reduce(0, +)) / Double(sorted.count)
            // A gentle pull to the centre stops smooth voice leading from drifting out of the register.
            let drift = abs(mean - Double(centre)) * 0.35
            guard let previous, !previous.isEmpty else { return drift * 3 }
            if previous.count == sorted.count {
                return zip(sorted, previous.sorted()).reduce(drift) { $0 + Double(abs($1.0 - $1.1)) }
            }
            let previousMean = Double(previous.reduce(0, +)) / Double(previous.count)
            return drift + abs(mean - previousMean) * Double(sorted.count)
        }
        return candidates.min { cost($0) < cost($1) }!.sorted()
    }
}
