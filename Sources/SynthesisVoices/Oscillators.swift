import Foundation

/// Band-limited oscillator maths. Phases are in cycles ([0, 1)) and kept in `Double`: a `Float` phase
/// accumulator drifts audibly out of tune over a long note, and the tuning is ground truth here.
package enum Oscillator {
    /// sin(2π·phase) for any phase of moderate size.
    ///
    /// Branch-free: wrap to [0, 1) with an integer conversion (floor is a libm call on baseline x86-64), fold to a
    /// quarter wave with abs, then a 9th-order odd polynomial. Error below 4e-6 (harmonics under -100 dB) and
    /// several times cheaper than `sin`, which matters because kicks, subs, organ and electric piano evaluate it
    /// for every sample of every note; branches here mispredict badly with many oscillators interleaved.
    @inline(__always)
    package static func sine(_ phase: Double) -> Double {
        var u = phase - Double(Int(phase)) - 0.25  // sin(2πp) = cos(2πu), u in (-1.25, 0.75)
        u -= Double(Int(u + 1.5) - 1)  // floor(u + 0.5) by truncating a positive number: u in [-0.5, 0.5)
        let z = (0.25 - abs(u)) * (2 * Double.pi)  // cos(2πu) = sin(z), z in [-π/2, π/2]
        let z2 = z * z
        return z * (1 + z2 * (-1.0 / 6 + z2 * (1.0 / 120 + z2 * (-1.0 / 5040 + z2 * (1.0 / 362_880)))))
    }

    /// The PolyBLEP residual that removes most aliasing from a hard edge at phase 0.
    @inline(__always)
    static func blep(_ t: Double, _ dt: Double) -> Double {
        if t < dt {
            let x = t / dt
            return x + x - x * x - 1
        }
        if t > 1 - dt {
            let x = (t - 1) / dt
            return x * x + x + x + 1
        }
        return 0
    }

    /// A band-limited sawtooth in [-1, 1]; `dt` is the phase increment per sample (frequency / sample rate).
    @inline(__always)
    package static func saw(_ phase: Double, _ dt: Double) -> Double {
        2 * phase - 1 - blep(phase, dt)
    }

    /// A band-limited pulse wave of duty cycle `width` (0.5 = square).
    @inline(__always)
    package static func pulse(_ phase: Double, _ dt: Double, width: Double) -> Double {
        var value = phase < width ? 1.0 : -1.0
        value += blep(phase, dt)
        var shifted = phase - width
        if shifted < 0 { shifted += 1 }
        value -= blep(shifted, dt)
        return value
    }

    /// Advances a phase by `dt` cycles, wrapping to [0, 1).
    @inline(__always)
    package static func advance(_ phase: inout Double, _ dt: Double) {
        phase += dt
        if phase >= 1 {
            phase -= 1
            if phase >= 1 { phase -= Double(Int(phase)) }
        }
    }
}

/// Equal temperament at A4 = 440 Hz.
package enum Tuning {
    /// Frequency of a (possibly fractional) MIDI note number: 69 = A4 = 440 Hz, 60 = middle C.
    package static func frequency(midi: Double) -> Double { 440 * pow(2, (midi - 69) / 12) }
}

/// Cheap saturation curves used on drums, basses and the master.
package enum Saturation {
    /// A rational approximation of tanh: smooth, odd, and exactly ±1 beyond ±3.
    @inline(__always)
    package static func soft(_ x: Float) -> Float {
        if x > 3 { return 1 }
        if x < -3 { return -1 }
        let x2 = x * x
        return x * (27 + x2) / (27 + 9 * x2)
    }
}
