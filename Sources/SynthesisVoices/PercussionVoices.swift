import Foundation

/// Hats, ride and crash: six detuned square waves (the 808/909 metallic cluster) mixed with noise, high-passed,
/// with a short (closed) or long (open, ride, crash) decay.
final class MetalVoice: Voice {
    let start: Int
    let bus = Bus.drums
    private let length: Int
    private var t = 0
    /// 32-bit phase accumulators: wrap for free, and the square wave is just the top bit.
    private var phases: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0, 1 << 30, 3 << 29, 1 << 28, 7 << 29, 3 << 30
    )
    private let increments: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
    private var env: Float = 1
    private let coef: Float
    private let metal: Float
    private let level: Float
    private var noise: WhiteNoise
    private var highpass: StateVariableFilter
    private var lowpass: OnePoleFilter

    init(start: Int, instrument: DrumInstrument, kit: DrumKit, level: Float, sampleRate: Double, seed: UInt32) {
        self.start = start
        var decay = kit.hatDecay
        var pitch = kit.hatPitch
        var cutoff = kit.hatHighpass
        var metal = kit.hatMetal
        switch instrument {
        case .openHat: decay = kit.openHatDecay
        case .ride:
            decay = 0.35
            pitch *= 1.7
            cutoff *= 0.7
            metal = 0.8
        case .crash:
            decay = 0.55
            cutoff *= 0.6
            metal = 0.3
        default: break
        }
        let base = [205.3, 304.4, 369.6, 522.7, 540.0, 800.0].map { UInt32($0 * pitch / sampleRate * 4_294_967_296) }
        increments = (base[0], base[1], base[2], base[3], base[4], base[5])
        length = Int(decay * 5.5 * sampleRate)
        coef = Float(decayCoefficient(decay, sampleRate: sampleRate))
        self.metal = Float(metal)
        self.level = level
        noise = WhiteNoise(seed: seed)
        highpass = StateVariableFilter(cutoff: cutoff, q: 0.9, sampleRate: sampleRate)
        lowpass = OnePoleFilter(cutoff: kit.hatLowpass, sampleRate: sampleRate)
    }

    func render(into out: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let n = min(count, length - t)
        var p = phases, env = self.env, noise = self.noise, highpass = self.highpass, lowpass = self.lowpass
        let d = increments
        @inline(__always) func square(_ phase: UInt32) -> Float { phase < 1 << 31 ? 1 : -1 }
        for i in 0..<n {
            p.0 &+= d.0
            p.1 &+= d.1
            p.2 &+= d.2
            p.3 &+= d.3
            p.4 &+= d.4
            p.5 &+= d.5
            let cluster = (square(p.0) + square(p.1) + square(p.2) + square(p.3) + square(p.4) + square(p.5)) / 6
            let source = cluster * metal + noise.next() * (1 - metal)
            let attack: Float = t + i < 20 ? Float(t + i + 1) / 20 : 1
            out[i] += lowpass.lowpass(highpass.highpass(source)) * env * attack * level * 2
            env *= coef
        }
        t += max(n, 0)
        phases = p
        self.env = env
        self.noise = noise
        self.highpass = highpass
        self.lowpass = lowpass
        return t < length
    }
}

/// Shaker (band-passed noise with a soft attack) and rim shot (a woody two-partial pip plus a noise tick).
final class NoiseHitVoice: Voice {
    let start: Int
    let bus: Bus
    private let length: Int
    private var t = 0
    private let attack: Int
    private var env: Float = 1
    private let coef: Float
    private var phase1 = 0.0
    private var phase2 = 0.0
    private let increment: Double
    private let toneMix: Float
    private let level: Float
    private var noise: WhiteNoise
    private var bandpass: StateVariableFilter

    init(start: Int, instrument: DrumInstrument, kit: DrumKit, level: Float, sampleRate: Double, seed: UInt32) {
        self.start = start
        bus = instrument.bus
        let isRim = instrument == .rim
        let decay = isRim ? 0.012 : kit.shakerDecay
        length = Int(decay * 7 * sampleRate) + (isRim ? 0 : Int(0.006 * sampleRate))
        attack = isRim ? 4 : Int(0.006 * sampleRate)
        coef = Float(decayCoefficient(decay, sampleRate: sampleRate))
        increment = kit.rimHz / sampleRate
        toneMix = isRim ? 0.7 : 0
        self.level = level
        noise = WhiteNoise(seed: seed)
        bandpass = StateVariableFilter(
            cutoff: isRim ? 3_200 : kit.shakerCentreHz, q: isRim ? 1.2 : 1.6, sampleRate: sampleRate)
    }

    func render(into out: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let n = min(count, length - t)
        var env = self.env, noise = self.noise, bandpass = self.bandpass, phase1 = self.phase1
        var phase2 = self.phase2
        for i in 0..<n {
            let time = t + i
            var shape: Float = 1
            if time < attack {
                shape = Float(time + 1) / Float(attack)
            } else {
                env *= coef
            }
            var tone: Float = 0
            if toneMix > 0 {
                Oscillator.advance(&phase1, increment)
                Oscillator.advance(&phase2, increment * 0.31)
                tone = Float(Oscillator.sine(phase1) * 0.6 + Oscillator.sine(phase2))
            }
            let hiss = bandpass.bandNormalised(noise.next()) * 2
            out[i] += (tone * toneMix + hiss * (1 - toneMix)) * env * shape * level
        }
        t += max(n, 0)
        self.env = env
        self.noise = noise
        self.bandpass = bandpass
        self.phase1 = phase1
        self.phase2 = phase2
        return t < length
    }
}

/// Toms and congas: a sine with a pitch drop and a short noise attack.
final class TomVoice: Voice {
    let start: Int
    let bus = Bus.drumsWet
    private let length: Int
    private var t = 0
    private var phase = 0.0
    private var env = 1.0
    private var dropEnv = 1.0
    private var clickEnv: Float = 1
    private let coef: Double
    private let dropCoef: Double
    private let clickCoef: Float
    private let increment: Double
    private let dropAmount: Double
    private let level: Float
    private var noise: WhiteNoise

    init(start: Int, instrument: DrumInstrument, kit: DrumKit, level: Float, sampleRate: Double, seed: UInt32) {
        self.start = start
        let hz: Double
        let decay: Double
        switch instrument {
        case .tomLow: (hz, decay) = (kit.tomHz, 0.22)
        case .tomMid: (hz, decay) = (kit.tomHz * 1.33, 0.18)
        case .tomHigh: (hz, decay) = (kit.tomHz * 1.78, 0.15)
        default: (hz, decay) = (kit.congaHz, 0.09)
        }
        length = Int(decay * 6 * sampleRate)
        coef = decayCoefficient(decay, sampleRate: sampleRate)
        dropCoef = decayCoefficient(instrument == .conga ? 0.01 : 0.04, sampleRate: sampleRate)
        clickCoef = Float(decayCoefficient(0.002, sampleRate: sampleRate))
        increment = hz / sampleRate
        dropAmount = instrument == .conga ? 0.25 : 0.6
        self.level = level
        noise = WhiteNoise(seed: seed)
    }

    func render(into out: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let n = min(count, length - t)
        var phase = self.phase, env = self.env, dropEnv = self.dropEnv, clickEnv = self.clickEnv
        var noise = self.noise
        for i in 0..<n {
            Oscillator.advance(&phase, increment * (1 + dropAmount * dropEnv))
            dropEnv *= dropCoef
            let body = Float(Oscillator.sine(phase) * env)
            env *= coef
            out[i] += (body + noise.next() * clickEnv * 0.3) * level
            clickEnv *= clickCoef
        }
        t += max(n, 0)
        self.phase = phase
        self.env = env
        self.dropEnv = dropEnv
        self.clickEnv = clickEnv
        self.noise = noise
        return t < length
    }
}
