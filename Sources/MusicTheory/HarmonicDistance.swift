/// How far apart two keys are for mixing, on the Camelot wheel, and how MIREX scores a key estimate.
public enum HarmonicRelation: String, Sendable, CaseIterable {
    /// The same key.
    case same
    /// One step around the wheel with the same letter (a fifth up or down).
    case adjacent
    /// The same number, the other letter (A minor ↔ C major).
    case relative
    /// Same tonic, other mode (A minor ↔ A major).
    case parallel
    /// Anything else.
    case distant
}

extension MusicalKey {
    /// The relation DJs care about between this key and `other`.
    public func relation(to other: MusicalKey) -> HarmonicRelation {
        if self == other { return .same }
        let a = camelot
        let b = other.camelot
        if a.mode == b.mode, a.wheelSteps(to: b) == 1 { return .adjacent }
        if a.number == b.number { return .relative }
        if tonic == other.tonic { return .parallel }
        return .distant
    }

    /// True for keys that mix without a clash in the Camelot system: the same key, a neighbour on
    /// the wheel, or the relative key.
    public func isHarmonicallyCompatible(with other: MusicalKey) -> Bool {
        switch relation(to: other) {
        case .same, .adjacent, .relative: true
        case .parallel, .distant: false
        }
    }

    /// A distance in 0…1 around the wheel: 0 for the same key, small for neighbours and the relative
    /// key, 1 for the far side. Each wheel step counts 1/6; a change of letter adds 1/12.
    public func wheelDistance(to other: MusicalKey) -> Double {
        let a = camelot
        let b = other.camelot
        let steps = Double(a.wheelSteps(to: b)) / 6
        let letter = a.mode == b.mode ? 0 : 1.0 / 12
        return min(1, steps + letter)
    }

    /// The MIREX key-detection score of this estimate against `truth`: 1 for the same key, 0.5 for a
    /// fifth (same mode, tonic a fifth above or below), 0.3 for the relative key, 0.2 for the parallel
    /// key, 0 otherwise.
    public func mirexScore(against truth: MusicalKey) -> Double {
        if self == truth { return 1 }
        if mode == truth.mode {
            let interval = tonic.interval(from: truth.tonic)
            if interval == 7 || interval == 5 { return 0.5 }
        }
        if self == truth.relative { return 0.3 }
        if self == truth.parallel { return 0.2 }
        return 0
    }
}
