import Foundation

/// Integrated loudness in LUFS as EBU R128 defines it (ITU-R BS.1770-4): each channel K-weighted
/// (a high shelf for the head's acoustic effect, then a high-pass), mean square over 400 ms blocks
/// overlapping by 75 %, channels summed with weight 1 (left, right or mono), then gated twice:
/// blocks under -70 LUFS are dropped, then blocks more than 10 LU under the mean of the rest.
///
/// The filter coefficients are derived for any sample rate from the analogue prototypes of the
/// standard's 48 kHz filters (the same derivation as libebur128), so the meter runs at the analysis
/// rate. Content above the analysis rate's Nyquist frequency (11 kHz) is not measured, which moves
/// typical music by a few tenths of a dB at most.
struct LoudnessMeter {
    /// What silence (nothing above the absolute gate) measures.
    static let floor = -70.0

    private let channelCount: Int
    private let stepLength: Int
    private var shelves: [Biquad]
    private var highPasses: [Biquad]
    /// Power summed over channels for each finished 100 ms step; four steps make a 400 ms block.
    private var steps: [Double] = []
    private var stepSum = 0.0
    private var stepFill = 0

    init(sampleRate: Int, channels: Int) {
        let rate = Double(sampleRate)
        channelCount = channels
        stepLength = max(1, sampleRate / 10)
        shelves = Array(repeating: Biquad.highShelf(rate: rate), count: channels)
        highPasses = Array(repeating: Biquad.highPass(rate: rate), count: channels)
    }

    /// Power per frame of the current chunk, summed over channels (kept to avoid reallocating).
    private var framePower: [Double] = []

    /// Feeds interleaved samples of all channels.
    mutating func add(_ interleaved: UnsafeBufferPointer<Float>) {
        let channels = channelCount
        let frames = interleaved.count / channels
        if framePower.count < frames { framePower = [Double](repeating: 0, count: frames) }
        framePower.withUnsafeMutableBufferPointer { power in
            if channels == 2 {
                // Both channels at once, as the two lanes of vector registers.
                var shelf = StereoBiquad(shelves[0], shelves[1])
                var highPass = StereoBiquad(highPasses[0], highPasses[1])
                for frame in 0..<frames {
                    let weighted = highPass.process(
                        shelf.process(SIMD2(Double(interleaved[2 * frame]), Double(interleaved[2 * frame + 1]))))
                    let squared = weighted * weighted
                    power[frame] = squared.x + squared.y
                }
                (shelves[0], shelves[1]) = shelf.channels
                (highPasses[0], highPasses[1]) = highPass.channels
            } else {
                for frame in 0..<frames { power[frame] = 0 }
                // One channel at a time with its filters in locals: the hot loop touches no array of structs.
                for channel in 0..<channels {
                    var shelf = shelves[channel]
                    var highPass = highPasses[channel]
                    for frame in 0..<frames {
                        let weighted = highPass.process(shelf.process(Double(interleaved[frame * channels + channel])))
                        power[frame] += weighted * weighted
                    }
                    shelves[channel] = shelf
                    highPasses[channel] = highPass
                }
            }
            var frame = 0
            while frame < frames {
                let take = min(stepLength - stepFill, frames - frame)
                var sum = 0.0
                for index in frame..<(frame + take) { sum += power[index] }
                stepSum += sum
                stepFill += take
                frame += take
                if stepFill == stepLength {
                    steps.append(stepSum)
                    stepSum = 0
                    stepFill = 0
                }
            }
        }
    }

    /// The integrated loudness of everything fed so far, in LUFS; `floor` for silence.
    var integratedLoudness: Double {
        var blocks: [Double] = []
        if steps.count >= 4 {
            for start in 0...(steps.count - 4) {
                blocks.append((steps[start] + steps[start + 1] + steps[start + 2] + steps[start + 3]) / Double(4 * stepLength))
            }
        } else {
            // Shorter than one block: the whole excerpt is the block.
            let samples = steps.count * stepLength + stepFill
            guard samples > 0 else { return Self.floor }
            blocks.append((steps.reduce(0, +) + stepSum) / Double(samples))
        }
        let absoluteGate = Self.power(ofLoudness: -70)
        let aboveAbsolute = blocks.filter { $0 > absoluteGate }
        guard !aboveAbsolute.isEmpty else { return Self.floor }
        let relativeGate = aboveAbsolute.reduce(0, +) / Double(aboveAbsolute.count) * pow(10, -1.0)
        let gated = aboveAbsolute.filter { $0 > relativeGate }
        guard !gated.isEmpty else { return Self.floor }
        return max(Self.floor, Self.loudness(ofPower: gated.reduce(0, +) / Double(gated.count)))
    }

    static func loudness(ofPower power: Double) -> Double { -0.691 + 10 * log10(power) }
    static func power(ofLoudness loudness: Double) -> Double { pow(10, (loudness + 0.691) / 10) }
}

/// A direct-form-I biquad.
private struct Biquad {
    var b0, b1, b2, a1, a2: Double
    var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0

    mutating func process(_ x: Double) -> Double {
        // The previous output enters last, so the next sample waits on one multiply-subtract only.
        let y = (b0 * x + b1 * x1 + b2 * x2 - a2 * y2) - a1 * y1
        x2 = x1
        x1 = x
        y2 = y1
        y1 = y
        return y
    }

    /// BS.1770's first stage for any rate: f0 = 1681.97 Hz, gain 4.0 dB, Q = 0.7072.
    static func highShelf(rate: Double) -> Biquad {
        let f0 = 1681.974450955533
        let gain = 3.999843853973347
        let q = 0.7071752369554196
        let k = tan(Double.pi * f0 / rate)
        let vh = pow(10, gain / 20)
        let vb = pow(vh, 0.4996667741545416)
        let a0 = 1 + k / q + k * k
        return Biquad(
            b0: (vh + vb * k / q + k * k) / a0, b1: 2 * (k * k - vh) / a0, b2: (vh - vb * k / q + k * k) / a0,
            a1: 2 * (k * k - 1) / a0, a2: (1 - k / q + k * k) / a0)
    }

    /// BS.1770's second stage (RLB) for any rate: f0 = 38.14 Hz, Q = 0.5003.
    static func highPass(rate: Double) -> Biquad {
        let f0 = 38.13547087602444
        let q = 0.5003270373238773
        let k = tan(Double.pi * f0 / rate)
        let a0 = 1 + k / q + k * k
        return Biquad(b0: 1, b1: -2, b2: 1, a1: 2 * (k * k - 1) / a0, a2: (1 - k / q + k * k) / a0)
    }
}

/// Two biquads with the same coefficients, one per lane: a stereo pair filtered in one pass.
private struct StereoBiquad {
    let b0, b1, b2, a1, a2: Double
    var x1, x2, y1, y2: SIMD2<Double>

    init(_ left: Biquad, _ right: Biquad) {
        (b0, b1, b2, a1, a2) = (left.b0, left.b1, left.b2, left.a1, left.a2)
        x1 = SIMD2(left.x1, right.x1)
        x2 = SIMD2(left.x2, right.x2)
        y1 = SIMD2(left.y1, right.y1)
        y2 = SIMD2(left.y2, right.y2)
    }

    /// The two channels' filters, with their state.
    var channels: (Biquad, Biquad) {
        var left = Biquad(b0: b0, b1: b1, b2: b2, a1: a1, a2: a2)
        var right = left
        (left.x1, left.x2, left.y1, left.y2) = (x1.x, x2.x, y1.x, y2.x)
        (right.x1, right.x2, right.y1, right.y2) = (x1.y, x2.y, y1.y, y2.y)
        return (left, right)
    }

    @inline(__always)
    mutating func process(_ x: SIMD2<Double>) -> SIMD2<Double> {
        let y = (b0 * x + b1 * x1 + b2 * x2 - a2 * y2) - a1 * y1
        x2 = x1
        x1 = x
        y2 = y1
        y1 = y
        return y
    }
}
