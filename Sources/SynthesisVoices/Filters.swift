import Foundation

/// Zavalishin's topology-preserving-transform state-variable filter (Cytomic's formulation).
///
/// Stable under fast cutoff modulation — filter envelopes, wobble LFOs and vowel glides all sweep it — and one
/// structure gives low-, band- and high-pass outputs. Setting the cutoff costs a `tan`, so callers update it at a
/// control rate (every 16–32 samples) rather than per sample.
package struct StateVariableFilter {
    private var a1: Float = 0
    private var a2: Float = 0
    private var a3: Float = 0
    private var k: Float = 1
    private var ic1: Float = 0
    private var ic2: Float = 0

    package init() {}

    package init(cutoff: Double, q: Double, sampleRate: Double) {
        set(cutoff: cutoff, q: q, sampleRate: sampleRate)
    }

    /// Cutoff in Hz (clamped to a safe range below Nyquist); `q` 0.5 (soft) … 10+ (resonant).
    package mutating func set(cutoff: Double, q: Double, sampleRate: Double) {
        let clamped = min(max(cutoff, 16), sampleRate * 0.45)
        let g = tan(Double.pi * clamped / sampleRate)
        let kk = 1 / max(q, 0.3)
        let aa1 = 1 / (1 + g * (g + kk))
        a1 = Float(aa1)
        a2 = Float(g * aa1)
        a3 = Float(g * g * aa1)
        k = Float(kk)
    }

    /// Processes one sample; returns (low, band, high). `band` peaks at Q; multiply by `k` (see `bandNormalised`)
    /// for unity peak gain.
    @inline(__always)
    mutating func process(_ v0: Float) -> (low: Float, band: Float, high: Float) {
        let v3 = v0 - ic2
        let v1 = a1 * ic1 + a2 * v3
        let v2 = ic2 + a2 * ic1 + a3 * v3
        ic1 = 2 * v1 - ic1
        ic2 = 2 * v2 - ic2
        return (v2, v1, v0 - k * v1 - v2)
    }

    @inline(__always)
    package mutating func lowpass(_ x: Float) -> Float { process(x).low }

    @inline(__always)
    mutating func highpass(_ x: Float) -> Float { process(x).high }

    /// Band-pass with 0 dB gain at the centre frequency, whatever the Q (used for formants).
    @inline(__always)
    package mutating func bandNormalised(_ x: Float) -> Float { process(x).band * k }
}

/// A one-pole low-pass (6 dB/octave): tone controls, smoothing, the "darkness" of lo-fi and hat brightness.
package struct OnePoleFilter {
    private var coefficient: Float = 1
    private var state: Float = 0

    package init(cutoff: Double, sampleRate: Double) { set(cutoff: cutoff, sampleRate: sampleRate) }

    mutating func set(cutoff: Double, sampleRate: Double) {
        coefficient = Float(1 - exp(-2 * Double.pi * min(cutoff, sampleRate * 0.49) / sampleRate))
    }

    @inline(__always)
    package mutating func lowpass(_ x: Float) -> Float {
        state += coefficient * (x - state)
        return state
    }

    @inline(__always)
    mutating func highpass(_ x: Float) -> Float { x - lowpass(x) }
}

/// Removes DC and sub-sonic rumble (a 1-pole/1-zero high-pass around 10–20 Hz) before the master clipper.
package struct DCBlocker {
    private var x1: Float = 0
    private var y1: Float = 0
    private let r: Float

    package init(sampleRate: Double, cutoff: Double = 15) {
        r = Float(exp(-2 * Double.pi * cutoff / sampleRate))
    }

    @inline(__always)
    package mutating func process(_ x: Float) -> Float {
        let y = x - x1 + r * y1
        x1 = x
        y1 = y
        return y
    }
}
