import SynthesisVoices
import Foundation

/// The decisions shared by every part of one track: tempo grid, form, progression, key, energy and tone.
struct Composition: Sendable {
    let genre: Genre
    let style: GenreStyle
    let timeline: Timeline
    let arrangement: Arrangement
    let progression: Progression
    let tonic: Int
    let mode: Mode
    let energy: Double
    /// 0 (dark) … 1 (bright): filter cutoffs of every instrument scale with it.
    let brightness: Double
    let mood: MoodTraits
    let seed: UInt64
    let sampleRate: Double
    let totalSamples: Int

    /// Derives the composition from a spec, clamping out-of-range values rather than failing.
    init(spec: TrackSpec, sampleRate: Int) {
        let rate = Double(max(8_000, sampleRate))
        self.sampleRate = rate
        genre = spec.genre
        style = GenreStyle.of(spec.genre)
        tonic = ((spec.tonic % 12) + 12) % 12
        mode = spec.mode
        seed = spec.seed
        energy = min(1, max(0, spec.energy.isFinite ? spec.energy : 0.5))
        mood = MoodTraits.of(spec.mood)
        let bpm = spec.bpm.isFinite ? min(300, max(30, spec.bpm)) : 120
        let swing = spec.swing.isFinite ? min(0.5, max(0, spec.swing)) : 0
        timeline = Timeline(sampleRate: rate, bpm: bpm, swing: swing, swingUnit: style.swingUnit)
        let seconds = spec.durationSeconds.isFinite ? max(0, spec.durationSeconds) : 0
        totalSamples = Int((seconds * rate).rounded())
        let bars = Int((Double(totalSamples) / timeline.samplesPerBar).rounded(.up)) + 1
        arrangement = Arrangement(totalBars: bars, hasBreakdown: style.hasBreakdown)
        var random = SeededRandom(seed: spec.seed, stream: .structure)
        let options = mode == .minor ? style.minorProgressions : style.majorProgressions
        progression = Progression(random.pick(options), mode: mode)
        // Energy opens the filters; happy moods are a little brighter, dark ones a little duller.
        brightness = min(1, max(0, 0.12 + 0.72 * energy + 0.1 * mood.valence))
    }

    /// The energy a part should use to decide how many layers to play in `section`.
    func layerEnergy(_ section: Section) -> Double {
        switch section {
        case .intro, .outro: energy - 0.3
        case .verse: energy - 0.1
        case .chorus: energy + 0.05
        case .breakdown: energy - 0.25
        }
    }
}
