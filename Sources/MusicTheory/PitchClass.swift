/// One of the twelve pitch classes of equal temperament, 0 = C … 11 = B.
///
/// Spelled the way the API spells tonics: C, C#, D, Eb, E, F, F#, G, Ab, A, Bb, B — the spellings DJ
/// software most often shows.
public struct PitchClass: RawRepresentable, Hashable, Sendable, Comparable, CaseIterable {
    /// 0 = C … 11 = B.
    public let rawValue: Int

    /// Any integer, reduced modulo 12.
    public init(_ semitones: Int) { rawValue = ((semitones % 12) + 12) % 12 }

    public init?(rawValue: Int) {
        guard (0..<12).contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public static let allCases = (0..<12).map(PitchClass.init)

    /// The project's spelling of each pitch class.
    public static let spellings = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]

    /// The project's spelling: "C", "C#", "D", "Eb", ….
    public var name: String { Self.spellings[rawValue] }

    /// Parses a note name: a letter A–G, then any number of sharps (`#`, `♯`) or flats (`b`, `♭`).
    /// Case-insensitive for the letter; "E#" and "Cb" are accepted as F and B.
    public init?(name: String) {
        var characters = Substring(name.trimmingWhitespace())
        guard let letter = characters.first?.uppercased().first,
            let natural = Self.naturals[letter]
        else { return nil }
        characters = characters.dropFirst()
        var offset = 0
        for accidental in characters {
            switch accidental {
            case "#", "♯": offset += 1
            case "b", "♭": offset -= 1
            default: return nil
            }
        }
        self.init(natural + offset)
    }

    /// The pitch class `semitones` above this one.
    public func transposed(by semitones: Int) -> PitchClass { PitchClass(rawValue + semitones) }

    /// Semitones up from `other` to this pitch class, 0..<12.
    public func interval(from other: PitchClass) -> Int { PitchClass(rawValue - other.rawValue).rawValue }

    public static func < (lhs: PitchClass, rhs: PitchClass) -> Bool { lhs.rawValue < rhs.rawValue }

    private static let naturals: [Character: Int] = ["C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11]
}

extension String {
    func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<max(start, end)]
    }
}
