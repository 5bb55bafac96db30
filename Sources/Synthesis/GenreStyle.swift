import SynthesisVoices
/// Everything that makes a genre sound like itself, beyond its drum patterns (see `Genre.drumPatterns`):
/// harmony, bass idiom, chord instrument and rhythm, lead phrasing, mix and effects.
struct GenreStyle: Sendable {
    /// The swung note value in 16th steps: 1 (16ths) or 2 (8ths).
    var swingUnit: Double = 1
    /// Progressions in roman numerals with lengths in bars (see `Progression`). All start and end on the tonic
    /// chord so the key is unambiguous.
    var minorProgressions: [String]
    var majorProgressions: [String]
    var bass: BassSound
    /// Bass rhythm templates (see `BassPart`).
    var bassRhythms: [String]
    var chords: ChordSound
    /// Chord rhythm templates (see `ChordPart`).
    var chordRhythms: [String]
    /// A sustained bed under the chord rhythm (and the breakdown chord sound).
    var pad: ChordSound?
    var arpeggio: ArpeggioStyle?
    var lead: LeadStyle
    /// Sidechain ducking depth 0…1.
    var sidechain: Double
    var reverbSize = 0.5
    /// Reverb send of chords and lead.
    var reverbSend = 0.25
    /// Delay send of the lead.
    var delaySend = 0.15
    /// Delay time in 16th steps. A quarter note by default: dotted-eighth echoes of a loud lead put a 1.5-beat
    /// period into the onsets that tempo estimators can mistake for the beat.
    var delaySteps = 4.0
    var delayFeedback = 0.35
    /// Master low-pass (dusty genres); `nil` = open.
    var masterLowpass: Double?
    var vinylCrackle = false
    var hasBreakdown = false
    /// Standard deviation of hit timing, seconds: machines are tight, hip-hop drummers (and MPCs) are not.
    var timingJitter = 0.001
    /// Snares and claps played behind the beat, seconds (the lazy lo-fi feel).
    var laidBack = 0.0

    static func of(_ genre: Genre) -> GenreStyle {
        switch genre {
        case .techno:
            return GenreStyle(
                minorProgressions: ["i:2 iv:1 i:1", "i:1 VI:1 VII:1 i:1", "i:3 VII:0.5 i:0.5"],
                majorProgressions: ["I:2 IV:1 I:1", "I:1 vi:1 IV:1 I:1"],
                bass: .rolling, bassRhythms: [".xxx.xxx.xxx.xxx", "..x...x...x...x.", "..xx..xx..xx..xx"],
                chords: .dubStab, chordRhythms: ["..x...x...x...x.", "..x.......x.....", "......x.......x."],
                pad: .darkPad,
                lead: LeadStyle(durations: [2, 4, 8], weights: [2, 3, 1], restChance: 0.3, centre: 67),
                sidechain: 0.45, reverbSize: 0.6, reverbSend: 0.22, delaySend: 0.2, delayFeedback: 0.3,
                hasBreakdown: true)
        case .house:
            return GenreStyle(
                minorProgressions: ["i7:1 iv7:1 VII:1 i7:1", "i7:1 VImaj7:1 iv7:1 i7:1", "i9:2 iv7:1 i9:1"],
                majorProgressions: [
                    "Imaj7:1 vi7:1 ii7:1 V:0.5 I:0.5", "I:1 IV:1 vi7:1 I:1", "Imaj7:1 IVmaj7:1 V:1 I:1",
                ],
                bass: .house, bassRhythms: ["..x-..x-..x-..xo", "x..x..x...x..o..", "..x...x.o.x...x."],
                chords: .organ, chordRhythms: ["x..x..x...x..x..", "..x..x....x..x..", "x-.x-..x-.x-...."],
                pad: .warmPad,
                lead: LeadStyle(durations: [2, 3, 4, 8], weights: [3, 1, 3, 1], restChance: 0.25, centre: 69),
                sidechain: 0.5, reverbSize: 0.5, delaySend: 0.12, hasBreakdown: true)
        case .drumAndBass:
            return GenreStyle(
                minorProgressions: ["i:2 VI:2 VII:2 i:2", "i:2 iv:2 VI:2 V:1 i:1"],
                majorProgressions: ["I:2 vi:2 IV:2 V:1 I:1", "I:2 IV:2 vi:2 I:2"],
                bass: .reese, bassRhythms: ["x---------x-----", "x-------x-----x-", "x-----x---x-----"],
                chords: .warmPad, chordRhythms: ["~"],
                arpeggio: ArpeggioStyle(sound: .pluck, stepsPerNote: 2, minEnergy: 0.75),
                lead: LeadStyle(durations: [4, 6, 8, 12], weights: [3, 2, 3, 1], restChance: 0.3, centre: 69),
                sidechain: 0.25, reverbSize: 0.7, reverbSend: 0.3, delaySend: 0.18, hasBreakdown: true)
        case .hipHop:
            return GenreStyle(
                minorProgressions: ["i7:1 VI:1 iv7:1 i7:1", "i:1 iv:1 i:1 V7:0.5 i:0.5", "i7:2 iv7:1 V:0.5 i7:0.5"],
                majorProgressions: ["I:1 vi:1 IV:1 I:1", "Imaj7:1 vi7:1 ii7:1 V7:0.5 Imaj7:0.5"],
                bass: .round, bassRhythms: ["x------x--x-----", "x-----x---x---f-", "x---------x--x--"],
                chords: .electricPiano, chordRhythms: ["x-------x-------", "x-----x---------", "x-----------x---"],
                lead: LeadStyle(durations: [2, 3, 4, 6], weights: [3, 2, 3, 1], restChance: 0.35, centre: 65),
                sidechain: 0.1, reverbSize: 0.4, reverbSend: 0.18, delaySend: 0.1, timingJitter: 0.004,
                laidBack: 0.008)
        case .trance:
            return GenreStyle(
                minorProgressions: ["i:2 VI:2 III:1 VII:1 i:2", "i:2 iv:2 VI:1 VII:1 i:2", "i:2 VI:2 VII:2 i:2"],
                majorProgressions: ["I:2 vi:2 IV:2 V:1 I:1", "I:2 V:2 vi:2 IV:1 I:1"],
                bass: .rolling, bassRhythms: [".xxx.xxx.xxx.xxx", "..x...x...x...x."],
                chords: .supersaw, chordRhythms: ["~"],
                arpeggio: ArpeggioStyle(sound: .pluck, stepsPerNote: 1, minEnergy: 0.45),
                lead: LeadStyle(
                    durations: [2, 4, 8], weights: [3, 3, 2], restChance: 0.2, centre: 71,
                    vibrato: 0.3),
                sidechain: 0.6, reverbSize: 0.8, reverbSend: 0.35, delaySend: 0.2, delayFeedback: 0.4,
                hasBreakdown: true)
        case .dubstep:
            return GenreStyle(
                minorProgressions: ["i:2 VI:1 i:1", "i:2 iv:1 i:1", "i:2 VI:1 V:0.5 i:0.5"],
                majorProgressions: ["I:2 IV:1 I:1", "I:2 vi:1 V:0.5 I:0.5"],
                bass: .wobble, bassRhythms: ["x-------------x-", "x-------x-------", "x-----x.....x---"],
                chords: .darkPad, chordRhythms: ["~"],
                lead: LeadStyle(durations: [2, 4, 8], weights: [2, 3, 2], restChance: 0.35, centre: 67),
                sidechain: 0.35, reverbSize: 0.7, reverbSend: 0.3, delaySend: 0.2, hasBreakdown: true)
        case .lofi:
            return GenreStyle(
                minorProgressions: ["i7:1 iv7:1 VImaj7:0.5 V7:0.5 i7:1", "i9:1 VImaj7:1 iv7:1 i9:1"],
                majorProgressions: ["Imaj7:1 vi7:1 ii7:1 V7:0.5 Imaj7:0.5", "Imaj9:1 IVmaj7:1 ii7:1 Imaj7:1"],
                bass: .round, bassRhythms: ["x-----x---f-----", "x--------x--x---", "x-----x-----o---"],
                chords: .lofiKeys, chordRhythms: ["x-------x--x----", "x-----x-------x-", "x---------------"],
                lead: LeadStyle(
                    durations: [3, 4, 6, 8], weights: [2, 3, 2, 2], restChance: 0.4, centre: 65,
                    vibrato: 0.18, glide: 0.04, vowels: [3, 4, 0]),
                sidechain: 0.15, reverbSize: 0.5, reverbSend: 0.25, delaySend: 0.12, masterLowpass: 6_500,
                vinylCrackle: true, timingJitter: 0.005, laidBack: 0.012)
        case .disco:
            return GenreStyle(
                minorProgressions: ["i7:1 iv7:1 VII:1 i7:1", "i7:2 iv7:1 V:0.5 i7:0.5"],
                majorProgressions: ["I:1 vi:1 ii7:1 V7:0.5 I:0.5", "Imaj7:1 IV:1 V:1 I:1"],
                bass: .disco, bassRhythms: ["x.o.x.o.x.o.x.o.", "x.o.x.o.f.o.x.o.", "x..ox.o.x..ox.o."],
                chords: .electricPiano, chordRhythms: ["..x-..x-..x-..x-", ".x.x..x..x.x..x."],
                pad: .strings,
                lead: LeadStyle(
                    durations: [2, 3, 4, 6], weights: [3, 2, 3, 1], restChance: 0.25, centre: 70,
                    vowels: [0, 1, 2]),
                sidechain: 0.15, reverbSize: 0.5, delaySend: 0.08, timingJitter: 0.002)
        case .reggaeton:
            return GenreStyle(
                swingUnit: 2,
                minorProgressions: ["i:1 VI:1 III:1 VII:0.5 i:0.5", "i:1 iv:1 VII:1 i:1", "i:1 VI:1 VII:1 i:1"],
                majorProgressions: ["I:1 V:1 vi:1 IV:0.5 I:0.5", "I:1 IV:1 V:1 I:1"],
                bass: .sub808, bassRhythms: ["x---x---x---x---", "x---x---x---x-x-", "x-------x---x---"],
                // Plucks on the beat grid: the drums already carry the 3+3+2, and doubling it in the chords makes
                // the dotted-8th period louder than the beat.
                chords: .pluck, chordRhythms: ["x.x.x...x.x.x...", "x...x.x.x...x.x.", "x-..x-..x-..x-.."],
                pad: .warmPad,
                lead: LeadStyle(
                    durations: [2, 3, 4], weights: [3, 3, 2], restChance: 0.3, centre: 67,
                    vowels: [0, 1, 3]),
                sidechain: 0.25, reverbSize: 0.45, delaySend: 0.12, timingJitter: 0.0015)
        case .ambient:
            return GenreStyle(
                swingUnit: 2,
                minorProgressions: ["i:2 VI:2 iv:2 i:2", "iadd9:2 VI:2 VII:2 iadd9:2"],
                majorProgressions: ["I:2 IV:2 vi:2 I:2", "Iadd9:2 IVmaj7:2 V:2 I:2"],
                bass: .round, bassRhythms: ["x---------------", "x-------x-------"],
                chords: .darkPad, chordRhythms: ["~"],
                arpeggio: ArpeggioStyle(sound: .electricPiano, stepsPerNote: 2, minEnergy: 0),
                lead: LeadStyle(
                    durations: [6, 8, 12], weights: [2, 3, 2], restChance: 0.4, centre: 67,
                    vibrato: 0.2, glide: 0.05, vowels: [3, 4, 0]),
                sidechain: 0.3, reverbSize: 0.95, reverbSend: 0.5, delaySend: 0.25, delayFeedback: 0.5,
                masterLowpass: 9_000, timingJitter: 0.002)
        }
    }
}
