import SynthesisVoices
import Foundation

/// The sound of a bass line: oscillator mix, filter envelope, amplitude shape and character.
struct BassSound: Sendable {
    var saw: Float = 1
    var square: Float = 0
    /// A sine at the note's pitch: the sub weight that survives the low-pass.
    var sine: Float = 0
    /// Cents of detune for a second saw: the slow beating of a reese.
    var detuneCents = 0.0
    var cutoff = 300.0
    var envAmount = 1_200.0
    var envDecay = 0.12
    var resonance = 1.0
    var attack = 0.004
    var release = 0.03
    /// Amplitude decay time constant for plucked and 808 sounds; `nil` sustains for the note's length.
    var decay: Double?
    /// Semitones above the note at the onset, falling quickly: the 808 "knock".
    var pitchDrop = 0.0
    var drive: Float = 1.2
    /// Tempo-synced LFO on the cutoff (dubstep).
    var wobble = false
    var gain: Float = 1

    /// Techno/trance rolling 16ths: short, resonant, filter-plucked saw.
    static let rolling = BassSound(
        saw: 1, sine: 0.5, cutoff: 220, envAmount: 1_600, envDecay: 0.06, resonance: 2, decay: 0.14, drive: 1.6,
        gain: 2.2)
    /// House: saw/square blend with a rounded filter and a sub.
    static let house = BassSound(
        saw: 0.6, square: 0.4, sine: 0.6, cutoff: 280, envAmount: 900, envDecay: 0.1, resonance: 1.3, decay: 0.3,
        drive: 1.4, gain: 1.3)
    /// Drum & bass reese: two detuned saws and a sub, slowly beating.
    static let reese = BassSound(
        saw: 1, sine: 0.8, detuneCents: 14, cutoff: 450, envAmount: 400, envDecay: 0.3, resonance: 0.9,
        release: 0.05, drive: 1.8, gain: 0.5)
    /// Dubstep wobble: saw + square through a resonant low-pass swept by a tempo-synced LFO.
    static let wobble = BassSound(
        saw: 0.8, square: 0.6, sine: 0.7, cutoff: 140, envAmount: 0, resonance: 3, release: 0.04, drive: 2.4,
        wobble: true, gain: 0.45)
    /// 808: a sine with a pitch knock and a long decay, saturated so it reads on small speakers.
    static let sub808 = BassSound(
        saw: 0, sine: 1, cutoff: 900, envAmount: 0, resonance: 0.7, attack: 0.002, release: 0.05, decay: 0.45,
        pitchDrop: 4, drive: 2.2, gain: 0.8)
    /// Lo-fi / ambient / hip-hop: round, warm, mostly sine with a touch of square.
    static let round = BassSound(
        saw: 0, square: 0.25, sine: 1, cutoff: 380, envAmount: 300, envDecay: 0.15, resonance: 0.8, attack: 0.008,
        release: 0.06, drive: 1.3, gain: 0.45)
    /// Disco: a bright, plucky octave bass.
    static let disco = BassSound(
        saw: 0.6, square: 0.4, sine: 0.5, cutoff: 350, envAmount: 2_200, envDecay: 0.07, resonance: 1.5,
        decay: 0.22, drive: 1.4, gain: 1.3)
}

/// One bass note: oscillators → resonant low-pass with envelope (and optional wobble) → amp envelope → drive.
final class BassVoice: Voice {
    let start: Int
    let bus = Bus.bass
    private let sound: BassSound
    private let gate: Int
    private let length: Int
    private let sampleRate: Double
    private let baseIncrement: Double
    private let cutoffScale: Double
    private let lfoIncrement: Double
    private let level: Float
    private var t = 0
    private var phase1 = 0.0
    private var phase2 = 0.37
    private var phaseSub = 0.0
    private var lfoPhase = 0.0
    private var amp: Float = 0
    private var ampDecay: Float = 1
    private let ampDecayCoef: Float
    private let releaseCoef: Float
    private var increment: Double
    private var filter = StateVariableFilter()

    /// `gate` is the held length in samples; `lfoHz` drives the wobble; `brightness` 0…1 opens the filter.
    init(
        start: Int, gate: Int, midi: Double, velocity: Double, sound: BassSound, brightness: Double,
        lfoHz: Double, sampleRate: Double
    ) {
        self.start = start
        self.sound = sound
        self.gate = max(1, gate)
        self.sampleRate = sampleRate
        length = self.gate + Int(sound.release * 6 * sampleRate)
        baseIncrement = Tuning.frequency(midi: midi) / sampleRate
        increment = baseIncrement
        cutoffScale = 0.55 + 0.9 * brightness
        lfoIncrement = lfoHz / sampleRate
        level = Float(velocity) * sound.gain / Saturation.soft(sound.drive)
        ampDecayCoef = Float(decayCoefficient(sound.decay ?? 1e6, sampleRate: sampleRate))
        releaseCoef = Float(decayCoefficient(sound.release, sampleRate: sampleRate))
    }

    func render(into out: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let n = min(count, length - t)
        let s = sound
        var phase1 = self.phase1, phase2 = self.phase2, phaseSub = self.phaseSub, lfoPhase = self.lfoPhase
        var amp = self.amp, ampDecay = self.ampDecay, increment = self.increment, filter = self.filter
        let attackSamples = max(1, Int(s.attack * sampleRate))
        let detune = pow(2, s.detuneCents / 1_200)
        for i in 0..<n {
            let time = t + i
            if time % 16 == 0 {
                // Control rate: pitch knock, filter envelope, wobble.
                let seconds = Double(time) / sampleRate
                increment = baseIncrement
                if s.pitchDrop > 0 { increment *= pow(2, s.pitchDrop * exp(-seconds / 0.03) / 12) }
                var cutoff = s.cutoff * cutoffScale + s.envAmount * cutoffScale * exp(-seconds / s.envDecay)
                if s.wobble {
                    let lfo = 0.5 - 0.5 * Oscillator.sine(lfoPhase + 0.25)
                    cutoff *= pow(2, 4.8 * lfo * cutoffScale)
                }
                filter.set(cutoff: cutoff, q: s.resonance, sampleRate: sampleRate)
            }
            if s.wobble { Oscillator.advance(&lfoPhase, lfoIncrement) }
            Oscillator.advance(&phase1, increment)
            Oscillator.advance(&phaseSub, increment)
            var raw = s.saw * Float(Oscillator.saw(phase1, increment))
            if s.square > 0 { raw += s.square * Float(Oscillator.pulse(phase1, increment, width: 0.5)) }
            if s.detuneCents > 0 {
                Oscillator.advance(&phase2, increment * detune)
                raw += s.saw * Float(Oscillator.saw(phase2, increment * detune))
            }
            let voiced = filter.lowpass(raw * 0.5) + s.sine * Float(Oscillator.sine(phaseSub))
            if time < attackSamples {
                amp = Float(time + 1) / Float(attackSamples)
            } else if time < gate {
                ampDecay *= ampDecayCoef
                amp = ampDecay
            } else {
                amp *= releaseCoef
            }
            out[i] += Saturation.soft(voiced * s.drive) * amp * level
        }
        t += max(n, 0)
        self.phase1 = phase1
        self.phase2 = phase2
        self.phaseSub = phaseSub
        self.lfoPhase = lfoPhase
        self.amp = amp
        self.ampDecay = ampDecay
        self.increment = increment
        self.filter = filter
        return t < length
    }
}

/// Writes the bass line: a genre rhythm template whose notes follow the chord roots, in the octave of the
/// tonic, with tonic notes accented so the bass keeps pointing at the key.
///
/// Template characters: `x` chord root, `o` root an octave up, `f` fifth above the root, `t` the tonic whatever
/// the chord, `-` hold, `.` rest.
struct BassPart {
    private let composition: Composition
    private let sound: BassSound
    private let rhythm: [Character]
    private let variation: [Character]
    private let tonicMidi: Int
    private var random: SeededRandom

    init(composition: Composition) {
        self.composition = composition
        var random = SeededRandom(seed: composition.seed, stream: .bass)
        let style = composition.style
        sound = style.bass
        let main = random.int(0..<style.bassRhythms.count)
        rhythm = Array(style.bassRhythms[main])
        variation = Array(style.bassRhythms[(main + 1) % style.bassRhythms.count])
        // Tonic between G1 (MIDI 31, 49 Hz) and F#2 (42, 92 Hz): low enough for weight, high enough that its
        // pitch resolves (an E1 at 41 Hz smears into its neighbouring semitones in a chromagram).
        tonicMidi = 31 + (composition.tonic - 7 + 12) % 12
        self.random = random
    }

    /// The bass MIDI note for a pitch class `relative` semitones above the tonic, near the tonic's octave.
    private func bassNote(relative: Int) -> Int {
        var note = tonicMidi + ((relative % 12) + 12) % 12
        if note > tonicMidi + 6 { note -= 12 }
        return note
    }

    mutating func schedule(bar: Int, into voices: inout [any Voice]) {
        let c = composition
        let section = c.arrangement.section(bar: bar)
        let energy = c.layerEnergy(section)
        let inPhrase = c.arrangement.barInPhrase(bar)
        switch section {
        case .intro where inPhrase < 4 || c.energy < 0.5: return
        case .outro where inPhrase >= 4: return
        default: break
        }
        // Breakdowns keep only long, soft root notes: harmony without the groove.
        let breakdown = section == .breakdown
        var steps = (c.arrangement.isPhraseEnd(bar) || inPhrase == 3) ? variation : rhythm
        if breakdown { steps = Array("x---------------") }
        let changes = Set(c.progression.changeSteps(bar: bar).map { Int($0) })
        let lfoChoices = [1.0, 2.0, 3.0, 4.0, 2.0]
        let lfoHz = c.timeline.bpm / 60 * lfoChoices[(bar * 7 + inPhrase) % lfoChoices.count]

        var step = 0
        while step < 16 {
            let symbol = steps[step]
            let isHeldChange = symbol == "-" && changes.contains(step) && step > 0
            guard "xoft".contains(symbol) || isHeldChange else {
                step += 1
                continue
            }
            // Thin busy templates at low energy: off-beat 16ths go first.
            if energy < 0.35 && step % 2 == 1 && !isHeldChange {
                step += 1
                continue
            }
            var length = 1
            while step + length < 16 && steps[step + length] == "-" && !changes.contains(step + length) {
                length += 1
            }
            let chord = c.progression.chord(bar: bar, step: Double(step))
            var relative = chord.root
            switch symbol {
            case "o": relative += 12
            case "f": relative += 7
            case "t": relative = 0
            default: break
            }
            let octaveUp = relative >= 12 ? 12 : 0
            let midi = bassNote(relative: relative % 12) + octaveUp
            var velocity = step % 4 == 0 ? 0.95 : 0.8
            if (relative % 12) == 0 { velocity += 0.08 }
            velocity *= (breakdown ? 0.55 : 1) * (0.85 + 0.15 * min(1, max(0, energy))) * random.uniform(0.93...1.03)
            let startSample = c.timeline.position(bar: bar, step: Double(step))
            let gateFraction = length == 1 ? 0.7 : 0.94
            let endSample = c.timeline.position(bar: bar, step: Double(step) + Double(length) * gateFraction)
            voices.append(
                BassVoice(
                    start: max(0, Int(startSample)), gate: Int(endSample - startSample), midi: Double(midi),
                    velocity: min(1, velocity), sound: sound,
                    brightness: breakdown ? c.brightness * 0.4 : c.brightness, lfoHz: lfoHz,
                    sampleRate: c.sampleRate))
            step += length
        }
    }
}
