import SynthesisVoices
/// Converts musical time (bars and 16th steps) into sample positions, applying swing.
///
/// Positions are computed from the bar index, never accumulated, so a non-integer BPM stays exact over ten
/// minutes: the truth the tempo estimator is scored against is the `bpm` used here.
struct Timeline: Sendable {
    let sampleRate: Double
    let bpm: Double
    /// Fraction of a swing unit by which the second unit of each pair is delayed (1/3 = triplet feel).
    let swing: Double
    /// The swung note value in 16th steps: 1 (16ths) or 2 (8ths).
    let swingUnit: Double

    var samplesPerBeat: Double { sampleRate * 60 / bpm }
    var samplesPerStep: Double { samplesPerBeat / 4 }
    var samplesPerBar: Double { samplesPerBeat * 4 }

    func barStart(_ bar: Int) -> Double { Double(bar) * samplesPerBar }

    /// The sample position of `step` (16ths from the start of `bar`; fractional and ≥ 16 allowed).
    ///
    /// Swing warps time piecewise-linearly inside each pair of swing units: the first unit is stretched by
    /// (1 + swing), the second squeezed by (1 - swing), so beats stay exactly on the grid and only the off-beat
    /// unit moves late. Fractional positions (rolls, flams) are warped consistently.
    func position(bar: Int, step: Double) -> Double {
        let pair = 2 * swingUnit
        let pairIndex = (step / pair).rounded(.down)
        let within = step - pairIndex * pair
        let warped =
            within < swingUnit
            ? within * (1 + swing)
            : swingUnit * (1 + swing) + (within - swingUnit) * (1 - swing)
        return barStart(bar) + (pairIndex * pair + warped) * samplesPerStep
    }
}

/// The role of a passage of the track; parts thin out or fill up by section.
enum Section: Sendable, Equatable {
    case intro, verse, chorus, breakdown, outro
}

/// The song form: which section each bar belongs to, in 8-bar phrases.
///
/// Short renders (the 30 s benchmark clips) are verse then chorus, so the whole clip is representative; long
/// renders get an intro, breakdowns (in genres that have them) and an outro.
struct Arrangement: Sendable {
    static let phraseBars = 8
    let totalBars: Int
    private let phrases: [Section]

    init(totalBars: Int, hasBreakdown: Bool) {
        self.totalBars = max(1, totalBars)
        let count = (self.totalBars + Self.phraseBars - 1) / Self.phraseBars
        var phrases: [Section] = []
        if self.totalBars < 24 {
            phrases = (0..<count).map { $0 == 0 ? .verse : .chorus }
        } else {
            let cycle: [Section] = [.verse, .chorus, hasBreakdown ? .breakdown : .verse, .chorus]
            for index in 0..<count {
                if index == 0 {
                    phrases.append(.intro)
                } else if index == count - 1 && count >= 5 {
                    phrases.append(.outro)
                } else {
                    phrases.append(cycle[(index - 1) % cycle.count])
                }
            }
        }
        self.phrases = phrases
    }

    func section(bar: Int) -> Section { phrases[min(max(0, bar / Self.phraseBars), phrases.count - 1)] }

    /// 0…7: position of `bar` inside its phrase.
    func barInPhrase(_ bar: Int) -> Int { bar % Self.phraseBars }

    func isPhraseStart(_ bar: Int) -> Bool { bar % Self.phraseBars == 0 }

    func isPhraseEnd(_ bar: Int) -> Bool { bar % Self.phraseBars == Self.phraseBars - 1 }

    /// The section of the bar after `bar` (the same section past the end of the track).
    func nextSection(after bar: Int) -> Section { section(bar: min(bar + 1, totalBars - 1)) }
}
