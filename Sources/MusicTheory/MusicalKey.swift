/// Major or minor: the two modes key detection and DJ notations distinguish.
public enum Mode: String, Hashable, Sendable, Codable, CaseIterable {
    case major
    case minor
}

/// A key: a tonic and a mode, for example A minor.
public struct MusicalKey: Hashable, Sendable, CustomStringConvertible {
    public var tonic: PitchClass
    public var mode: Mode

    public init(tonic: PitchClass, mode: Mode) {
        self.tonic = tonic
        self.mode = mode
    }

    /// All 24 keys: C major, C minor, C# major, ….
    public static let all: [MusicalKey] = PitchClass.allCases.flatMap { tonic in
        Mode.allCases.map { MusicalKey(tonic: tonic, mode: $0) }
    }

    /// "A minor".
    public var description: String { "\(tonic.name) \(mode.rawValue)" }

    /// The relative key: A minor ↔ C major (same notes, same Camelot number).
    public var relative: MusicalKey {
        switch mode {
        case .major: MusicalKey(tonic: tonic.transposed(by: -3), mode: .minor)
        case .minor: MusicalKey(tonic: tonic.transposed(by: 3), mode: .major)
        }
    }

    /// The parallel key: A minor ↔ A major.
    public var parallel: MusicalKey { MusicalKey(tonic: tonic, mode: mode == .major ? .minor : .major) }

    /// The key's position on the Camelot wheel.
    public var camelot: CamelotCode { CamelotCode(self) }

    /// The key in Open Key notation (Traktor's): C major is 1d, A minor 1m.
    public var openKey: OpenKeyCode { OpenKeyCode(self) }
}
