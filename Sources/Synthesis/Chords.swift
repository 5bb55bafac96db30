import SynthesisVoices
import Foundation

/// The sound of a chord instrument.
struct ChordSound: Sendable {
    enum Timbre: Sendable {
        /// Two detuned saws per note through one low-pass: pads, stabs, plucks, strings.
        case saws
        /// Sine with waveshaped overtones that fade faster than the tone: the bell-like attack and soft body of an
        /// electric piano.
        case electricPiano
        /// Three drawbar-like sine harmonics: house organ.
        case organ
    }

    var timbre: Timbre
    var attack = 0.005
    /// Time constant of the fall from peak to `sustain`.
    var decay = 0.3
    var sustain = 1.0
    /// Time constant of the release after the gate closes.
    var release = 0.15
    var cutoff = 2_000.0
    var envAmount = 0.0
    var envDecay = 0.2
    var resonance = 0.8
    var detuneCents = 8.0
    var gain = 1.0
    var tremoloHz = 0.0
    /// Octaves above the middle-C voicing.
    var octave = 0

    static let warmPad = ChordSound(
        timbre: .saws, attack: 0.35, decay: 1, sustain: 0.85, release: 0.35, cutoff: 1_300, detuneCents: 11, gain: 0.8)
    static let darkPad = ChordSound(
        timbre: .saws, attack: 0.6, decay: 1, sustain: 0.9, release: 0.5, cutoff: 800, detuneCents: 14, gain: 1)
    static let supersaw = ChordSound(
        timbre: .saws, attack: 0.08, decay: 0.6, sustain: 0.8, release: 0.3, cutoff: 2_600, envAmount: 1_500,
        envDecay: 0.4, detuneCents: 18, gain: 0.7)
    static let strings = ChordSound(
        timbre: .saws, attack: 0.18, decay: 0.8, sustain: 0.9, release: 0.16, cutoff: 2_400, detuneCents: 9,
        gain: 0.6, tremoloHz: 5.5)
    static let dubStab = ChordSound(
        timbre: .saws, attack: 0.003, decay: 0.12, sustain: 0.1, release: 0.08, cutoff: 500, envAmount: 2_200,
        envDecay: 0.06, resonance: 1.6, detuneCents: 6, gain: 1.8)
    static let pluck = ChordSound(
        timbre: .saws, attack: 0.002, decay: 0.16, sustain: 0, release: 0.1, cutoff: 500, envAmount: 4_500,
        envDecay: 0.07, resonance: 1.4, detuneCents: 5, gain: 1.6)
    static let electricPiano = ChordSound(
        timbre: .electricPiano, attack: 0.003, decay: 1.2, sustain: 0.35, release: 0.09, cutoff: 4_000, gain: 0.85,
        tremoloHz: 4.5)
    static let lofiKeys = ChordSound(
        timbre: .electricPiano, attack: 0.006, decay: 1.6, sustain: 0.4, release: 0.25, cutoff: 2_500, gain: 0.8,
        tremoloHz: 3.8)
    static let organ = ChordSound(
        timbre: .organ, attack: 0.012, decay: 0.25, sustain: 0.75, release: 0.06, cutoff: 5_000, gain: 1.1)
}

/// One chord (or one arpeggio note): ADSR-shaped oscillators and a shared low-pass with its own envelope.
final class ChordVoice: Voice {
    let start: Int
    let bus = Bus.chords
    private let sound: ChordSound
    private let gate: Int
    private let length: Int
    private let sampleRate: Double
    /// Oscillator state in raw memory: array access inside the per-sample loop costs uniqueness and bounds checks.
    private let increments: UnsafeMutablePointer<Double>
    private let phases: UnsafeMutablePointer<Double>
    /// For sine-based timbres: each note is a rotating phasor (sine in `phases`, cosine here), advanced by a
    /// complex multiplication — no phase wrapping or polynomial per sample for a fixed-pitch note.
    private let cosines: UnsafeMutablePointer<Double>
    private let oscillatorCount: Int
    private let rotationCos: UnsafeMutablePointer<Double>
    private let rotationSin: UnsafeMutablePointer<Double>
    private let level: Float
    private let cutoffScale: Double
    private var t = 0
    private var env: Float = 0
    private var decayPart: Float = 1
    private var releaseFrom: Float = 0
    private var releasePart: Float = 1
    private let decayCoef: Float
    private let releaseCoef: Float
    private var tremoloPhase = 0.0
    /// Overtone brightness of the electric piano, decaying from 1.
    private var overtones = 1.0
    private var tremolo: Float = 1
    private var filter = StateVariableFilter()

    init(
        start: Int, gate: Int, notes: [Int], velocity: Double, sound: ChordSound, brightness: Double,
        sampleRate: Double
    ) {
        self.start = start
        self.sound = sound
        self.gate = max(1, gate)
        self.sampleRate = sampleRate
        // The tail ends at -45 dB (5.2 release time constants): inaudible under the next chord, and shorter tails
        // mean fewer overlapping voices to render.
        length = self.gate + Int(sound.release * 5.2 * sampleRate)
        let spread = pow(2, sound.detuneCents / 2_400)
        var increments: [Double] = []
        for note in notes {
            let hz = Tuning.frequency(midi: Double(note + 12 * sound.octave))
            switch sound.timbre {
            case .saws: increments += [hz * spread / sampleRate, hz / spread / sampleRate]
            case .electricPiano, .organ: increments += [hz / sampleRate]
            }
        }
        oscillatorCount = increments.count
        self.increments = .allocate(capacity: max(1, increments.count))
        self.increments.initialize(from: increments, count: increments.count)
        // Spread start phases so the saws do not all reset together (a hard click and a comb-filtered sound).
        phases = .allocate(capacity: max(1, increments.count))
        cosines = .allocate(capacity: max(1, increments.count))
        rotationCos = .allocate(capacity: max(1, increments.count))
        rotationSin = .allocate(capacity: max(1, increments.count))
        for (index, increment) in increments.enumerated() {
            rotationCos[index] = cos(2 * Double.pi * increment)
            rotationSin[index] = sin(2 * Double.pi * increment)
        }
        for index in increments.indices {
            let startPhase = Double((index * 7_919) % 1_000) / 1_000
            phases[index] = startPhase
            cosines[index] = 1
            if sound.timbre != .saws {
                phases[index] = Oscillator.sine(startPhase)
                cosines[index] = Oscillator.sine(startPhase + 0.25)
            }
        }
        level = Float(velocity * sound.gain / pow(Double(max(notes.count, 1)), 0.6))
        cutoffScale = 0.45 + 1.1 * brightness
        decayCoef = Float(decayCoefficient(sound.decay, sampleRate: sampleRate))
        releaseCoef = Float(decayCoefficient(sound.release, sampleRate: sampleRate))
    }

    deinit {
        increments.deallocate()
        phases.deallocate()
        cosines.deallocate()
        rotationCos.deallocate()
        rotationSin.deallocate()
    }

    func render(into out: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let n = min(count, length - t)
        guard n > 0 else { return false }
        let s = sound
        let inc = increments, ph = phases, voices = oscillatorCount
        let gate = self.gate, sampleRate = self.sampleRate, level = self.level
        let decayCoef = self.decayCoef, releaseCoef = self.releaseCoef
        var env = self.env, decayPart = self.decayPart, releaseFrom = self.releaseFrom
        var releasePart = self.releasePart, tremoloPhase = self.tremoloPhase, filter = self.filter
        var overtones = self.overtones, tremolo = self.tremolo
        let attackSamples = max(1, Int(s.attack * sampleRate))
        let sustain = Float(s.sustain)
        let tremoloIncrement = s.tremoloHz / sampleRate
        let t0 = t

        // The ADSR, advanced one sample (multiplicative decays: no exp per sample).
        @inline(__always) func envelope(_ time: Int) -> Float {
            if time < attackSamples {
                env = Float(time + 1) / Float(attackSamples)
            } else if time < gate {
                decayPart *= decayCoef
                env = sustain + (1 - sustain) * decayPart
            } else {
                if time == gate { releaseFrom = env }
                releasePart *= releaseCoef
                env = releaseFrom * releasePart
            }
            if tremoloIncrement > 0 && time % 16 == 0 {
                // Tremolo at control rate: 4–6 Hz needs no per-sample sine.
                Oscillator.advance(&tremoloPhase, tremoloIncrement * 16)
                tremolo = 1 + 0.12 * Float(Oscillator.sine(tremoloPhase))
            }
            return env * tremolo * level
        }
        @inline(__always) func updateFilter(_ time: Int) {
            guard time % 16 == 0 else { return }
            let seconds = Double(time) / sampleRate
            let cutoff = (s.cutoff + s.envAmount * exp(-seconds / s.envDecay)) * cutoffScale
            filter.set(cutoff: cutoff, q: s.resonance, sampleRate: sampleRate)
        }

        switch s.timbre {
        case .saws:
            for i in 0..<n {
                let time = t0 + i
                updateFilter(time)
                var sum: Float = 0
                for v in 0..<voices {
                    Oscillator.advance(&ph[v], inc[v])
                    sum += Float(Oscillator.saw(ph[v], inc[v]))
                }
                out[i] += filter.lowpass(sum * 0.35) * envelope(time)
            }
        case .electricPiano:
            // Harmonics by Chebyshev waveshaping of one sine per note (T2 = 2s²-1 gives the 2nd harmonic, T3 the
            // 3rd): a bright, bell-like attack whose overtones fade faster than the tone, like a struck tine, at a
            // fraction of the cost of two-operator FM.
            let brightCoef = decayCoefficient(0.18, sampleRate: sampleRate)
            rotate(count: n) { x in
                let h2 = 0.12 + 0.35 * overtones
                let h3 = 0.05 + 0.25 * overtones
                let x2 = x * x
                return x + h2 * (2 * x2 - 1) + h3 * x * (4 * x2 - 3)
            } perSample: { sum, i in
                overtones *= brightCoef
                out[i] += Float(sum) * 0.6 * envelope(t0 + i)
            }
        case .organ:
            rotate(count: n) { x in
                // Drawbar-like 2nd and 3rd harmonics from the fundamental alone (Chebyshev polynomials).
                let x2 = x * x
                return x + 0.5 * (2 * x2 - 1) + 0.3 * x * (3 - 4 * x2)
            } perSample: { sum, i in
                updateFilter(t0 + i)
                out[i] += filter.lowpass(Float(sum) * 0.5) * envelope(t0 + i)
            }
        }
        t += n
        self.env = env
        self.decayPart = decayPart
        self.releaseFrom = releaseFrom
        self.releasePart = releasePart
        self.tremoloPhase = tremoloPhase
        self.filter = filter
        self.overtones = overtones
        self.tremolo = tremolo
        return t < length
    }

    /// Advances every note's phasor for `count` samples, shaping each note's sine with `shape` and handing the
    /// per-sample sum to `perSample`. Renormalises the phasors once per block so rounding cannot drift the level.
    @inline(__always)
    private func rotate(
        count: Int, shape: (Double) -> Double, perSample: (Double, Int) -> Void
    ) {
        let sines = phases, cosines = self.cosines, voices = oscillatorCount
        for i in 0..<count {
            var sum = 0.0
            for v in 0..<voices {
                let (cosStep, sinStep) = (rotationCos[v], rotationSin[v])
                let s = sines[v], c = cosines[v]
                sines[v] = s * cosStep + c * sinStep
                cosines[v] = c * cosStep - s * sinStep
                sum += shape(s)
            }
            perSample(sum, i)
        }
        for v in 0..<voices {
            let norm = 1 / (sines[v] * sines[v] + cosines[v] * cosines[v]).squareRoot()
            sines[v] *= norm
            cosines[v] *= norm
        }
    }
}

/// How a genre arpeggiates its chords (trance plucks, ambient bells).
struct ArpeggioStyle: Sendable {
    var sound: ChordSound
    /// 1 = 16ths, 2 = 8ths.
    var stepsPerNote: Int
    /// Below this (section-adjusted) energy there is no arpeggio.
    var minEnergy: Double
}

/// Plays the progression: the genre's chord rhythm, an optional sustained pad bed and an optional arpeggio.
///
/// Chord rhythm characters: `x` strike, `-` hold, `.` rest; the single token `~` means one long chord per
/// chord change (pads). Held chords are re-struck when the harmony changes under them.
struct ChordPart {
    private let composition: Composition
    private let rhythm: String
    private var previousVoicing: [Int]?
    private var random: SeededRandom

    init(composition: Composition) {
        self.composition = composition
        var random = SeededRandom(seed: composition.seed, stream: .chords)
        rhythm = random.pick(composition.style.chordRhythms)
        self.random = random
    }

    mutating func schedule(bar: Int, into voices: inout [any Voice]) {
        let c = composition
        let section = c.arrangement.section(bar: bar)
        let energy = c.layerEnergy(section)
        let inPhrase = c.arrangement.barInPhrase(bar)
        if section == .intro && inPhrase < 2 && c.arrangement.totalBars > 24 { return }
        let darker = section == .intro || section == .outro ? 0.6 : 1.0
        let brightness = min(1, c.brightness * darker)

        // The main chord instrument; in breakdowns, a pad takes over.
        if section == .breakdown {
            scheduleLong(
                bar: bar, sound: c.style.pad ?? .warmPad, velocity: 0.8, brightness: brightness,
                into: &voices)
        } else if rhythm == "~" {
            scheduleLong(bar: bar, sound: c.style.chords, velocity: 0.85, brightness: brightness, into: &voices)
        } else {
            scheduleRhythm(bar: bar, energy: energy, brightness: brightness, into: &voices)
            if let pad = c.style.pad, energy >= 0.3 {
                scheduleLong(bar: bar, sound: pad, velocity: 0.45, brightness: brightness, into: &voices)
            }
        }
        if let arp = c.style.arpeggio, energy >= arp.minEnergy, section == .chorus || section == .breakdown {
            scheduleArpeggio(bar: bar, style: arp, energy: energy, brightness: brightness, into: &voices)
        }
    }

    private mutating func voicing(for chord: Chord) -> [Int] {
        let notes = Voicing.voice(chord, tonic: composition.tonic, previous: previousVoicing)
        previousVoicing = notes
        return notes
    }

    /// One chord per chord change, held for the chord's whole length.
    private mutating func scheduleLong(
        bar: Int, sound: ChordSound, velocity: Double, brightness: Double, into voices: inout [any Voice]
    ) {
        let c = composition
        for step in c.progression.changeSteps(bar: bar) {
            let entry = c.progression.entry(bar: bar, step: step)
            let startSample = c.timeline.position(bar: bar, step: step)
            let endSample = c.timeline.position(bar: bar, step: step + entry.beats * 4 * 0.98)
            voices.append(
                ChordVoice(
                    start: max(0, Int(startSample)), gate: Int(endSample - startSample),
                    notes: voicing(for: entry.chord), velocity: velocity, sound: sound, brightness: brightness,
                    sampleRate: c.sampleRate))
        }
    }

    private mutating func scheduleRhythm(
        bar: Int, energy: Double, brightness: Double, into voices: inout [any Voice]
    ) {
        let c = composition
        let steps = Array(rhythm)
        let changes = Set(c.progression.changeSteps(bar: bar).map { Int($0) })
        var step = 0
        while step < 16 {
            let symbol = steps[step % steps.count]
            let restrike = symbol == "-" && changes.contains(step)
            guard symbol == "x" || restrike else {
                step += 1
                continue
            }
            // Low energy drops the syncopated strikes and keeps those on the beat.
            if energy < 0.3 && step % 4 != 0 && !restrike {
                step += 1
                continue
            }
            var length = 1
            while step + length < 16 && steps[(step + length) % steps.count] == "-"
                && !changes.contains(step + length)
            {
                length += 1
            }
            let chord = c.progression.chord(bar: bar, step: Double(step))
            let startSample = c.timeline.position(bar: bar, step: Double(step))
            let endSample = c.timeline.position(bar: bar, step: Double(step) + Double(length) * 0.9)
            let velocity = (step % 4 == 0 ? 0.9 : 0.78) * random.uniform(0.92...1.04) * (0.8 + 0.2 * min(energy, 1))
            voices.append(
                ChordVoice(
                    start: max(0, Int(startSample)), gate: Int(endSample - startSample), notes: voicing(for: chord),
                    velocity: velocity, sound: c.style.chords, brightness: brightness, sampleRate: c.sampleRate))
            step += length
        }
    }

    /// Root, third, fifth and the octave, one per 16th or 8th, accented on the beat. Four notes per cycle keep
    /// the pattern aligned with the beat (a six-note cycle would make a 1.5-beat period that fights the pulse).
    private mutating func scheduleArpeggio(
        bar: Int, style: ArpeggioStyle, energy: Double, brightness: Double, into voices: inout [any Voice]
    ) {
        let c = composition
        var step = 0
        while step < 16 {
            let chord = c.progression.chord(bar: bar, step: Double(step))
            let root = 60 + (c.tonic + chord.root) % 12
            let triad = chord.intervals.prefix(3).map { root + $0 }
            let ladder = triad + [root + 12]
            let index = (step / style.stepsPerNote) % ladder.count
            let startSample = c.timeline.position(bar: bar, step: Double(step))
            let endSample = c.timeline.position(bar: bar, step: Double(step) + Double(style.stepsPerNote) * 0.6)
            let accent = step % 4 == 0 ? 1.0 : 0.72
            voices.append(
                ChordVoice(
                    start: max(0, Int(startSample)), gate: Int(endSample - startSample), notes: [ladder[index]],
                    velocity: accent * (0.6 + 0.4 * min(energy, 1)), sound: style.sound, brightness: brightness,
                    sampleRate: c.sampleRate))
            step += style.stepsPerNote
        }
    }
}
