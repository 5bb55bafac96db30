import SynthesisVoices
import Foundation

/// Plays the genre's groove bar by bar: lanes gated by energy and section, variations every fourth bar, a fill
/// at the end of each phrase, a build at the end of a breakdown, crashes on phrase starts, and humanised timing
/// and velocity. Reports kick times for the sidechain.
struct DrumPart {
    private let composition: Composition
    private let kit: DrumKit
    private let pattern: DrumPattern
    private var random: SeededRandom

    private struct Hit {
        var instrument: DrumInstrument
        var step: Double
        var velocity: Double
    }

    init(composition: Composition) {
        self.composition = composition
        var kitRandom = SeededRandom(seed: composition.seed, stream: .kit)
        kit = DrumKit.make(
            genre: composition.genre, tonic: composition.tonic, energy: composition.brightness, random: &kitRandom)
        var random = SeededRandom(seed: composition.seed, stream: .drums)
        pattern = random.pick(composition.genre.drumPatterns)
        self.random = random
    }

    /// The kit's low-pass, if the genre wants dusty drums.
    var busLowpass: Double? { kit.busLowpass }

    mutating func schedule(bar: Int, into voices: inout [any Voice], kicks: inout [Int]) {
        let c = composition
        let section = c.arrangement.section(bar: bar)
        let energy = c.layerEnergy(section)
        let inPhrase = c.arrangement.barInPhrase(bar)
        var hits: [Hit] = []

        for lane in pattern.lanes where energy >= lane.minEnergy && energy < lane.maxEnergy {
            // Section rules: breakdowns drop kick, snare and claps; intros bring the backbeat in halfway.
            switch (section, lane.instrument) {
            case (.breakdown, .kick), (.breakdown, .snare), (.breakdown, .clap): continue
            case (.intro, .snare), (.intro, .clap): if inPhrase < 4 { continue }
            default: break
            }
            for step in 0..<16 {
                let velocity = lane.velocity(bar: bar, step: step)
                if velocity > 0 {
                    hits.append(Hit(instrument: lane.instrument, step: Double(step), velocity: velocity))
                }
            }
        }
        // Ambient and low-energy breakdowns keep a soft pulse so the tempo never disappears.
        if section == .breakdown {
            for step in stride(from: 0, to: 16, by: 4) {
                hits.append(Hit(instrument: .closedHat, step: Double(step + 2), velocity: 0.5))
            }
        }

        let phraseEnd = c.arrangement.isPhraseEnd(bar)
        if section == .breakdown && phraseEnd && c.arrangement.nextSection(after: bar) != .breakdown {
            addBuild(&hits)
        } else if phraseEnd && section != .breakdown {
            addFill(&hits, kind: random.pick(c.genre.fills), energy: energy)
        } else if inPhrase % 4 == 3 && section != .breakdown {
            addVariation(&hits)
        }
        if c.arrangement.isPhraseStart(bar) && bar > 0 && c.energy >= 0.45 && section != .breakdown
            && c.genre != .ambient && c.genre != .lofi
        {
            hits.append(Hit(instrument: .crash, step: 0, velocity: 0.8))
        }

        let level = 0.72 + 0.28 * min(1, c.energy)
        for hit in hits {
            var position = c.timeline.position(bar: bar, step: hit.step)
            var jitter = random.gaussian() * c.style.timingJitter
            if hit.instrument == .snare || hit.instrument == .clap || hit.instrument == .rim {
                jitter += c.style.laidBack
            }
            // Kicks stay on the grid in four-on-the-floor genres; the pulse is the point.
            if hit.instrument == .kick { jitter *= 0.3 }
            position += jitter * c.sampleRate
            let start = max(0, Int(position.rounded()))
            let velocity = min(1, hit.velocity * level * random.uniform(0.9...1.05))
            voices.append(
                kit.voice(
                    hit.instrument, start: start, velocity: velocity, sampleRate: c.sampleRate,
                    seed: random.seed32()))
            if hit.instrument == .kick { kicks.append(start) }
        }
    }

    /// End-of-phrase fill over the last beat or two.
    private mutating func addFill(_ hits: inout [Hit], kind: FillKind, energy: Double) {
        switch kind {
        case .snareRoll:
            hits.removeAll { $0.step >= 8 && ($0.instrument == .snare || $0.instrument == .clap) }
            let start = energy > 0.6 ? 8 : 12
            for step in start..<16 {
                let rise = Double(step - start) / Double(16 - start)
                hits.append(Hit(instrument: .snare, step: Double(step), velocity: 0.4 + 0.6 * rise))
            }
        case .tomRun:
            hits.removeAll { $0.step >= 12 && $0.instrument != .kick }
            let toms: [DrumInstrument] = [.tomHigh, .tomHigh, .tomMid, .tomLow]
            for (index, tom) in toms.enumerated() {
                hits.append(Hit(instrument: tom, step: Double(12 + index), velocity: 0.85))
            }
        case .dropout:
            hits.removeAll { $0.step >= 12 && $0.instrument != .closedHat && $0.instrument != .shaker }
            hits.append(Hit(instrument: .openHat, step: 12, velocity: 0.8))
            hits.append(Hit(instrument: .snare, step: 15, velocity: 0.6))
        case .breakChop:
            hits.removeAll { $0.step >= 12 && ($0.instrument == .kick || $0.instrument == .snare) }
            hits += [
                Hit(instrument: .kick, step: 12, velocity: 0.9), Hit(instrument: .snare, step: 13, velocity: 0.7),
                Hit(instrument: .kick, step: 14, velocity: 0.7), Hit(instrument: .snare, step: 14.5, velocity: 0.5),
                Hit(instrument: .snare, step: 15, velocity: 0.85),
            ]
        case .percussionRoll:
            hits.removeAll { $0.step >= 12 && $0.instrument != .kick }
            for step in 12..<16 {
                hits.append(Hit(instrument: step < 14 ? .tomHigh : .conga, step: Double(step), velocity: 0.75))
                hits.append(Hit(instrument: .conga, step: Double(step) + 0.5, velocity: 0.45))
            }
        }
    }

    /// A small change every fourth bar: a ghost kick, an open hat or a snare pickup.
    private mutating func addVariation(_ hits: inout [Hit]) {
        switch random.int(0..<3) {
        case 0: hits.append(Hit(instrument: .kick, step: 14, velocity: 0.45))
        case 1:
            hits.removeAll { $0.step == 14 && $0.instrument == .closedHat }
            hits.append(Hit(instrument: .openHat, step: 14, velocity: 0.6))
        default: hits.append(Hit(instrument: .snare, step: 15, velocity: 0.35))
        }
    }

    /// The bar before the drop: a snare roll accelerating from 8ths to 16ths to 32nds, rising in level.
    private func addBuild(_ hits: inout [Hit]) {
        var step = 0.0
        while step < 16 {
            let velocity = 0.3 + 0.65 * step / 16
            hits.append(Hit(instrument: .snare, step: step, velocity: velocity))
            step += step < 8 ? 2 : step < 12 ? 1 : 0.5
        }
    }
}
