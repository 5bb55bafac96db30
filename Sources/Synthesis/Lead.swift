import SynthesisVoices
import Foundation

/// How a genre's lead sings: rhythm vocabulary, register, vibrato, glide, vowels.
struct LeadStyle: Sendable {
    /// Note lengths in 16th steps and their relative weights.
    var durations: [Double]
    var weights: [Double]
    /// Chance of a rest between notes.
    var restChance: Double
    /// MIDI note the tune centres on.
    var centre: Int
    /// Vibrato depth in semitones once fully developed.
    var vibrato = 0.25
    /// Portamento time constant between legato notes, seconds.
    var glide = 0.03
    /// Indices into `Formants.vowels` the singer uses.
    var vowels = [0, 1, 3]
    var gain = 1.0
}

/// Vowel formants (centre Hz, bandwidth Hz, linear gain) for a mid-range voice.
///
/// Bandwidths are wider than a real voice's so the lead stays audible and pitched when its fundamental is above
/// the first formant, as a sung note in the fifth octave often is.
enum Formants {
    typealias Vowel = (f: (Double, Double, Double), bandwidth: (Double, Double, Double), gain: (Float, Float, Float))

    static let vowels: [Vowel] = [
        ((800, 1_150, 2_900), (160, 180, 240), (1, 0.5, 0.12)),  // a
        ((400, 1_800, 2_700), (130, 200, 240), (1, 0.3, 0.2)),  // e
        ((300, 2_200, 2_950), (120, 200, 220), (1, 0.28, 0.15)),  // i
        ((450, 800, 2_830), (140, 160, 220), (1, 0.55, 0.1)),  // o
        ((330, 700, 2_700), (110, 130, 300), (1, 0.3, 0.06)),  // u
    ]
}

/// A monophonic vocal-like line for one tune: a glottal-ish saw/pulse source through three band-pass formant
/// filters, with scooped attacks, delayed vibrato, legato glides and breath noise.
final class LeadVoice: Voice {
    struct Note {
        var start: Int
        var end: Int
        var midi: Double
        var velocity: Float
        var vowel: Int
    }

    let start: Int
    let bus = Bus.lead
    private let notes: [Note]
    private let length: Int
    private let sampleRate: Double
    private let style: LeadStyle
    private let level: Float
    private let vibratoHz: Double
    private var t = 0
    private var noteIndex = -1
    private var pitch = 60.0
    private var onset = 0
    private var glideTime = 0.03
    private var increment = 0.0
    private var phase = 0.0
    private var vibratoPhase = 0.0
    private var gateLevel: Float = 0
    private var gateFrom: Float = 0
    private var formantHz: (Double, Double, Double) = (600, 1_200, 2_800)
    private var formantGain: (Float, Float, Float) = (1, 0.4, 0.1)
    private var f1 = StateVariableFilter()
    private var f2 = StateVariableFilter()
    private var f3 = StateVariableFilter()
    private var tone: OnePoleFilter
    private var noise: WhiteNoise

    /// `notes` are relative to `start` and sorted.
    init(
        start: Int, notes: [Note], style: LeadStyle, brightness: Double, level: Double, sampleRate: Double,
        seed: UInt32
    ) {
        self.start = start
        self.notes = notes
        self.style = style
        self.sampleRate = sampleRate
        length = (notes.last?.end ?? 0) + Int(0.4 * sampleRate)
        self.level = Float(level * style.gain)
        vibratoHz = 5.2 + Double(seed % 100) / 100
        pitch = notes.first?.midi ?? 60
        tone = OnePoleFilter(cutoff: 1_800 + 4_000 * brightness, sampleRate: sampleRate)
        noise = WhiteNoise(seed: seed)
    }

    func render(into out: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let n = min(count, length - t)
        guard n > 0 else { return false }
        var phase = self.phase, increment = self.increment, gateLevel = self.gateLevel, gateFrom = self.gateFrom
        var f1 = self.f1, f2 = self.f2, f3 = self.f3, tone = self.tone, noise = self.noise
        var gains = formantGain
        let control = 16
        for i in 0..<n {
            let time = t + i
            if time % control == 0 {
                gateFrom = gateLevel
                gateLevel = controlUpdate(time: time, gate: gateLevel)
                increment = Tuning.frequency(midi: pitch + vibrato(time: time)) / sampleRate
                f1.set(
                    cutoff: formantHz.0, q: formantHz.0 / Formants.vowels[currentVowel].bandwidth.0,
                    sampleRate: sampleRate)
                f2.set(
                    cutoff: formantHz.1, q: formantHz.1 / Formants.vowels[currentVowel].bandwidth.1,
                    sampleRate: sampleRate)
                f3.set(
                    cutoff: formantHz.2, q: formantHz.2 / Formants.vowels[currentVowel].bandwidth.2,
                    sampleRate: sampleRate)
                gains = formantGain
            }
            // Interpolate the gate across the control period to avoid zipper noise.
            let fraction = Float(time % control) / Float(control)
            let gate = gateFrom + (gateLevel - gateFrom) * fraction
            Oscillator.advance(&phase, increment)
            let saw = Oscillator.saw(phase, increment)
            let source = Float(0.7 * saw + 0.3 * Oscillator.pulse(phase, increment, width: 0.3))
            let glottal = tone.lowpass(source) + noise.next() * 0.04
            let voiced =
                f1.bandNormalised(glottal) * gains.0 + f2.bandNormalised(glottal) * gains.1
                + f3.bandNormalised(glottal) * gains.2 + glottal * 0.12
            out[i] += voiced * gate * level
        }
        t += n
        self.phase = phase
        self.increment = increment
        self.gateLevel = gateLevel
        self.gateFrom = gateFrom
        self.f1 = f1
        self.f2 = f2
        self.f3 = f3
        self.tone = tone
        self.noise = noise
        return t < length
    }

    private var currentVowel: Int { noteIndex >= 0 ? notes[noteIndex].vowel : 0 }

    /// Advances note state at control rate; returns the amplitude target for this control period.
    private func controlUpdate(time: Int, gate gateLevel: Float) -> Float {
        while noteIndex + 1 < notes.count && notes[noteIndex + 1].start <= time {
            let previousEnd = noteIndex >= 0 ? notes[noteIndex].end : Int.min / 2
            noteIndex += 1
            let note = notes[noteIndex]
            let legato = note.start - previousEnd < Int(0.03 * sampleRate)
            // Singers scoop into detached notes from slightly below; legato notes glide from the last pitch. Both
            // are kept short: time spent between notes paints neighbouring semitones into the chroma.
            glideTime = legato ? style.glide : 0.018
            if !legato { pitch = note.midi - 0.3 }
            onset = note.start
        }
        guard noteIndex >= 0 else { return gateLevel }
        let note = notes[noteIndex]
        let periodSeconds = 16 / sampleRate
        let glideCoef = 1 - exp(-periodSeconds / glideTime)
        pitch += (note.midi - pitch) * glideCoef
        let target = Formants.vowels[note.vowel]
        let vowelCoef = 1 - exp(-periodSeconds / 0.06)
        formantHz.0 += (target.f.0 - formantHz.0) * vowelCoef
        formantHz.1 += (target.f.1 - formantHz.1) * vowelCoef
        formantHz.2 += (target.f.2 - formantHz.2) * vowelCoef
        formantGain.0 += (target.gain.0 - formantGain.0) * Float(vowelCoef)
        formantGain.1 += (target.gain.1 - formantGain.1) * Float(vowelCoef)
        formantGain.2 += (target.gain.2 - formantGain.2) * Float(vowelCoef)
        let sounding = time < note.end
        let goal = sounding ? note.velocity : 0
        // A sung attack is soft (tens of milliseconds); it also keeps the lead from dominating onset detection.
        let timeConstant = sounding ? 0.03 : 0.07
        return gateLevel + (goal - gateLevel) * Float(1 - exp(-periodSeconds / timeConstant))
    }

    /// Vibrato in semitones: absent at the onset, growing over ~0.3 s, as a held sung note develops it.
    private func vibrato(time: Int) -> Double {
        vibratoPhase += vibratoHz * 16 / sampleRate
        let age = Double(time - onset) / sampleRate
        let depth = style.vibrato * min(1, max(0, (age - 0.12) / 0.3))
        return depth * Oscillator.sine(vibratoPhase)
    }
}

/// Sings tunes from `MelodyWriter` in the sections that have a lead: sparser in verses, fuller in choruses,
/// long notes in breakdowns, silent in intros and outros.
struct LeadPart {
    private let composition: Composition
    private let writer: MelodyWriter
    private var tunes: [String: [MelodyNote]] = [:]
    private var cycle = 0
    private var random: SeededRandom

    init(composition: Composition) {
        self.composition = composition
        writer = MelodyWriter(composition: composition, style: composition.style.lead)
        random = SeededRandom(seed: composition.seed, stream: .lead)
    }

    mutating func schedule(bar: Int, into voices: inout [any Voice]) {
        let c = composition
        let cycleBars = max(4, c.progression.lengthBars)
        guard bar % cycleBars == 0 else { return }
        let section = c.arrangement.section(bar: bar)
        guard section != .intro && section != .outro else { return }
        // Quiet tracks leave some verses instrumental.
        if section == .verse && c.energy < 0.3 && c.arrangement.barInPhrase(bar) == 0 && random.chance(0.5) {
            return
        }
        let variant = cycle % 2
        cycle += 1
        let key = "\(section)-\(variant)"
        let tune = tunes[key] ?? writer.tune(for: section, variant: variant)
        tunes[key] = tune
        guard let first = tune.first else { return }
        let firstBar = bar + Int(first.step / 16)
        let firstStep = first.step.truncatingRemainder(dividingBy: 16)
        let origin = Int(max(0, c.timeline.position(bar: firstBar, step: firstStep)))
        let notes = tune.map { note -> LeadVoice.Note in
            let startBar = bar + Int(note.step / 16)
            let startSample = c.timeline.position(bar: startBar, step: note.step - Double(Int(note.step / 16) * 16))
            let end = note.step + note.length * 0.94
            let endBar = bar + Int(end / 16)
            let endSample = c.timeline.position(bar: endBar, step: end - Double(Int(end / 16) * 16))
            return LeadVoice.Note(
                start: Int(startSample) - origin, end: Int(endSample) - origin, midi: Double(note.midi),
                velocity: Float(note.velocity), vowel: note.vowel)
        }
        let level = (section == .verse ? 0.85 : 1) * (0.75 + 0.25 * min(1, c.energy))
        voices.append(
            LeadVoice(
                start: origin, notes: notes, style: c.style.lead, brightness: c.brightness, level: level,
                sampleRate: c.sampleRate, seed: random.seed32()))
    }
}
