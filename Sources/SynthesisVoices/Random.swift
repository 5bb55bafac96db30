/// A seeded SplitMix64 generator.
///
/// Every musical decision in a track is drawn from one of these, so the same `TrackSpec.seed` always renders the
/// same samples. SplitMix64 is tiny, fast and passes BigCrush, which is far more than music needs.
package struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// An independent stream: decisions for drums, bass, chords and lead each get their own stream, so changing
    /// how one part draws numbers does not reshuffle every other part of the track.
    package init(seed: UInt64, stream: RandomStream) {
        state = seed ^ (stream.rawValue &* 0xD1B5_4A32_D192_ED03)
        _ = next()
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    package mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// Uniform integer in `range` (which must not be empty).
    package mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }

    package mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    package mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }

    /// An index drawn with probability proportional to `weights[i]`.
    package mutating func weightedIndex(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var target = unit() * total
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return index }
        }
        return weights.count - 1
    }

    /// Roughly normal with mean 0 and standard deviation 1 (sum of uniforms; cheap and bounded at ±3).
    package mutating func gaussian() -> Double {
        (unit() + unit() + unit() + unit() - 2) * 1.7320508
    }

    /// A seed for something that needs its own generator (an audio noise source, a voice).
    package mutating func seed32() -> UInt32 { UInt32(truncatingIfNeeded: next() >> 16) | 1 }
}

/// Labels for the independent random streams of one track.
package enum RandomStream: UInt64 {
    case structure = 1, kit, drums, bass, chords, lead, noise, generator
}

/// Audio-rate white noise: xorshift32, much cheaper per sample than SplitMix64 and deterministic per voice.
package struct WhiteNoise {
    private var state: UInt32

    package init(seed: UInt32) { state = seed == 0 ? 0x1234_5678 : seed }

    /// Uniform in [-1, 1).
    @inline(__always)
    package mutating func next() -> Float {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return Float(Int32(bitPattern: state)) * (1 / 2_147_483_648)
    }
}
