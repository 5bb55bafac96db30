// Kick, snare and clap synthesis. Hats, shakers, toms and congas are in PercussionVoices.swift.

import Foundation

/// Per-sample multiplier for an exponential decay with time constant `seconds`.
@inline(__always)
package func decayCoefficient(_ seconds: Double, sampleRate: Double) -> Double {
    exp(-1 / max(seconds * sampleRate, 1))
}

/// Kick: a sine swept down from a click-like start pitch to the tuned body pitch, held briefly, then decaying,
/// plus a filtered noise click for the beater, through a soft clipper for weight.
///
/// The sweep is exponential in pitch (octaves fall at a constant rate) and fast, so the body sits on its tuned
/// note within a few tens of milliseconds; a slow linear sweep keeps the loudest part of the kick sharp of the
/// tonic, which chroma-based key estimation hears as a wrong pitch class.
final class KickVoice: Voice {
    let start: Int
    let bus = Bus.drums
    private let length: Int
    private let hold: Int
    /// After this the click has decayed below -80 dB and is no longer computed.
    private let clickLength: Int
    private var t = 0
    private var phase = 0.0
    private var pitchEnv = 1.0
    private var ampEnv = 1.0
    private var clickEnv: Float = 1
    private let pitchCoef: Double
    private let ampCoef: Double
    private let clickCoef: Float
    private let endIncrement: Double
    /// log2(start / end): the sweep's size in octaves.
    private let sweepOctaves: Double
    private let level: Float
    private let click: Float
    private let drive: Float
    private var noise: WhiteNoise
    private var clickFilter: OnePoleFilter

    init(start: Int, kit: DrumKit, level: Float, sampleRate: Double, seed: UInt32) {
        self.start = start
        hold = Int(kit.kickDecay * 0.6 * sampleRate)
        length = hold + Int(kit.kickDecay * 5 * sampleRate)
        clickLength = Int(kit.kickClickDecay * 10 * sampleRate)
        pitchCoef = decayCoefficient(kit.kickPitchTime, sampleRate: sampleRate)
        ampCoef = decayCoefficient(kit.kickDecay, sampleRate: sampleRate)
        clickCoef = Float(decayCoefficient(kit.kickClickDecay, sampleRate: sampleRate))
        endIncrement = kit.kickEndHz / sampleRate
        sweepOctaves = log2(max(kit.kickStartHz, kit.kickEndHz) / kit.kickEndHz)
        click = Float(kit.kickClick)
        drive = Float(kit.kickDrive)
        // Normalise so that drive changes the shape, not the peak.
        self.level = level / Saturation.soft(Float(kit.kickDrive))
        noise = WhiteNoise(seed: seed)
        clickFilter = OnePoleFilter(cutoff: 1_500, sampleRate: sampleRate)
    }

    func render(into out: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let n = min(count, length - t)
        var phase = self.phase, pitchEnv = self.pitchEnv, ampEnv = self.ampEnv, clickEnv = self.clickEnv
        var noise = self.noise, clickFilter = self.clickFilter
        let attack = 12
        var ratio = 1.0
        for i in 0..<n {
            let time = t + i
            if time % 8 == 0 {
                // exp2 at control rate; the sweep is smooth enough at 5.5 kHz.
                ratio = pitchEnv > 1e-4 ? exp2(sweepOctaves * pitchEnv) : 1
            }
            Oscillator.advance(&phase, endIncrement * ratio)
            pitchEnv *= pitchCoef
            if time >= hold { ampEnv *= ampCoef }
            var amplitude = ampEnv
            if time < attack { amplitude *= Double(time + 1) / Double(attack) }
            var x = Float(Oscillator.sine(phase) * amplitude)
            if time < clickLength {
                x += clickFilter.highpass(noise.next()) * clickEnv * click
                clickEnv *= clickCoef
            }
            out[i] += Saturation.soft(x * drive) * level
        }
        t += max(n, 0)
        self.phase = phase
        self.pitchEnv = pitchEnv
        self.ampEnv = ampEnv
        self.clickEnv = clickEnv
        self.noise = noise
        self.clickFilter = clickFilter
        return t < length
    }
}

/// Snare: a short pitched body (two partials with a fast pitch drop) plus band-limited noise for the wires.
final class SnareVoice: Voice {
    let start: Int
    let bus = Bus.drumsWet
    private let length: Int
    private var t = 0
    private var phase1 = 0.0
    private var phase2 = 0.0
    private var toneEnv: Float = 1
    private var noiseEnv: Float = 1
    private var dropEnv = 1.0
    private let toneCoef: Float
    private let noiseCoef: Float
    private let dropCoef: Double
    private let increment: Double
    private let toneMix: Float
    private let level: Float
    private var noise: WhiteNoise
    private var highpass: StateVariableFilter
    private var lowpass: OnePoleFilter

    init(start: Int, kit: DrumKit, level: Float, sampleRate: Double, seed: UInt32) {
        self.start = start
        length = Int(max(kit.snareNoiseDecay, kit.snareToneDecay) * 6.5 * sampleRate)
        toneCoef = Float(decayCoefficient(kit.snareToneDecay, sampleRate: sampleRate))
        noiseCoef = Float(decayCoefficient(kit.snareNoiseDecay, sampleRate: sampleRate))
        dropCoef = decayCoefficient(0.008, sampleRate: sampleRate)
        increment = kit.snareToneHz / sampleRate
        toneMix = Float(kit.snareToneMix)
        self.level = level
        noise = WhiteNoise(seed: seed)
        highpass = StateVariableFilter(cutoff: kit.snareNoiseHighpass, q: 0.7, sampleRate: sampleRate)
        lowpass = OnePoleFilter(cutoff: kit.snareNoiseLowpass, sampleRate: sampleRate)
    }

    func render(into out: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let n = min(count, length - t)
        var phase1 = self.phase1, phase2 = self.phase2, toneEnv = self.toneEnv, noiseEnv = self.noiseEnv
        var dropEnv = self.dropEnv, noise = self.noise, highpass = self.highpass, lowpass = self.lowpass
        for i in 0..<n {
            let bend = 1 + 0.6 * dropEnv
            dropEnv *= dropCoef
            Oscillator.advance(&phase1, increment * bend)
            Oscillator.advance(&phase2, increment * 1.63 * bend)
            let tone = Float(Oscillator.sine(phase1) + 0.5 * Oscillator.sine(phase2)) * toneEnv
            let wires = lowpass.lowpass(highpass.highpass(noise.next())) * noiseEnv
            toneEnv *= toneCoef
            noiseEnv *= noiseCoef
            out[i] += (tone * toneMix + wires * 2.2 * (1 - toneMix)) * level
        }
        t += max(n, 0)
        self.phase1 = phase1
        self.phase2 = phase2
        self.toneEnv = toneEnv
        self.noiseEnv = noiseEnv
        self.dropEnv = dropEnv
        self.noise = noise
        self.highpass = highpass
        self.lowpass = lowpass
        return t < length
    }
}

/// Clap: band-passed noise in three quick bursts (several hands) and a short diffuse tail.
final class ClapVoice: Voice {
    let start: Int
    let bus = Bus.drumsWet
    private let length: Int
    private let spacing: Int
    private var t = 0
    private var tailEnv: Float = 1
    private let burstTime: Float
    private let tailCoef: Float
    private let level: Float
    private var noise: WhiteNoise
    private var bandpass: StateVariableFilter

    init(start: Int, kit: DrumKit, level: Float, sampleRate: Double, seed: UInt32) {
        self.start = start
        spacing = Int(0.011 * sampleRate)
        length = spacing * 3 + Int(kit.clapTail * 6 * sampleRate)
        burstTime = Float(0.0025 * sampleRate)
        tailCoef = Float(decayCoefficient(kit.clapTail, sampleRate: sampleRate))
        self.level = level
        noise = WhiteNoise(seed: seed)
        bandpass = StateVariableFilter(cutoff: kit.clapCentreHz, q: 1.3, sampleRate: sampleRate)
    }

    func render(into out: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let n = min(count, length - t)
        var tailEnv = self.tailEnv, noise = self.noise, bandpass = self.bandpass
        let burstEnd = spacing * 3
        for i in 0..<n {
            let time = t + i
            let envelope: Float
            if time < burstEnd {
                envelope = exp(-Float(time % spacing) / burstTime)
            } else {
                envelope = tailEnv * 0.8
                tailEnv *= tailCoef
            }
            out[i] += bandpass.bandNormalised(noise.next()) * envelope * level * 2.5
        }
        t += max(n, 0)
        self.tailEnv = tailEnv
        self.noise = noise
        self.bandpass = bandpass
        return t < length
    }
}
