/// A position on the Camelot wheel: a number 1…12 along the circle of fifths and a letter, A for minor
/// keys and B for major. C major is 8B and A minor 8A; one step clockwise is a fifth up.
public struct CamelotCode: Hashable, Sendable, CustomStringConvertible {
    /// 1…12.
    public let number: Int
    public let mode: Mode

    /// The code of `key`.
    public init(_ key: MusicalKey) {
        // The wheel runs in fifths: multiplying a pitch class by 7 (mod 12) orders keys by fifths, and
        // C major sits at 8. A minor key takes the number of its relative major.
        let major = key.mode == .major ? key.tonic : key.relative.tonic
        number = (major.rawValue * 7 + 7) % 12 + 1
        mode = key.mode
    }

    /// Parses "8A", "8a", "12B"; nil for anything else.
    public init?(_ text: String) {
        let trimmed = text.trimmingWhitespace().uppercased()
        guard let letter = trimmed.last, let number = Int(trimmed.dropLast()), (1...12).contains(number) else {
            return nil
        }
        switch letter {
        case "A": mode = .minor
        case "B": mode = .major
        default: return nil
        }
        self.number = number
    }

    /// The key this code names.
    public var key: MusicalKey {
        // Inverse of the forward mapping: 7 is its own inverse modulo 12.
        let major = PitchClass((number - 1 - 7) * 7)
        let majorKey = MusicalKey(tonic: major, mode: .major)
        return mode == .major ? majorKey : majorKey.relative
    }

    /// "8A".
    public var description: String { "\(number)\(mode == .minor ? "A" : "B")" }

    /// Steps between two numbers around the wheel, 0…6.
    public func wheelSteps(to other: CamelotCode) -> Int {
        let difference = abs(number - other.number) % 12
        return min(difference, 12 - difference)
    }
}

/// A key in Open Key notation: a number 1…12 and `m` (minor) or `d` (major). C major is 1d, A minor 1m;
/// the numbers are Camelot's shifted by seven.
public struct OpenKeyCode: Hashable, Sendable, CustomStringConvertible {
    /// 1…12.
    public let number: Int
    public let mode: Mode

    public init(_ key: MusicalKey) {
        let camelot = CamelotCode(key)
        number = (camelot.number - 1 + 5) % 12 + 1
        mode = key.mode
    }

    /// Parses "1m", "1d", "10M"; nil for anything else.
    public init?(_ text: String) {
        let trimmed = text.trimmingWhitespace().lowercased()
        guard let letter = trimmed.last, let number = Int(trimmed.dropLast()), (1...12).contains(number) else {
            return nil
        }
        switch letter {
        case "m": mode = .minor
        case "d": mode = .major
        default: return nil
        }
        self.number = number
    }

    /// The key this code names.
    public var key: MusicalKey {
        let camelotNumber = (number - 1 + 7) % 12 + 1
        return CamelotCode("\(camelotNumber)\(mode == .minor ? "A" : "B")")!.key
    }

    /// "1m".
    public var description: String { "\(number)\(mode == .minor ? "m" : "d")" }
}
