import Foundation

/// The drum and percussion sounds a pattern can trigger.
package enum DrumInstrument: Sendable, Hashable {
    case kick, snare, clap, rim, closedHat, openHat, ride, crash, shaker, tomLow, tomMid, tomHigh, conga

    /// Relative mix level: kick loudest, hats well underneath, as in a produced track.
    var gain: Float {
        switch self {
        case .kick: 1.0
        case .snare: 1.1
        case .clap: 1.0
        case .rim: 0.5
        case .closedHat: 0.2
        case .openHat: 0.2
        case .ride: 0.13
        case .crash: 0.2
        case .shaker: 0.14
        case .tomLow, .tomMid, .tomHigh: 0.5
        case .conga: 0.32
        }
    }

    var bus: Bus {
        switch self {
        case .snare, .clap, .rim, .tomLow, .tomMid, .tomHigh, .conga: .drumsWet
        default: .drums
        }
    }
}

/// A synthesised drum kit. Every track draws its own kit within its genre's character, so two techno tracks do
/// not share one kick; the kick's body is tuned to the tonic or fifth, as producers do.
package struct DrumKit: Sendable {
    package var kickStartHz = 180.0, kickEndHz = 50.0, kickPitchTime = 0.015, kickDecay = 0.12, kickClick = 0.3
    package var kickDrive = 1.5
    /// Time constant of the beater click; longer clicks read as a harder, more broadband attack.
    package var kickClickDecay = 0.0015
    package var snareToneHz = 190.0, snareToneDecay = 0.05, snareNoiseDecay = 0.09, snareNoiseHighpass = 1_200.0
    package var snareNoiseLowpass = 9_000.0, snareToneMix = 0.35
    package var clapCentreHz = 1_300.0, clapTail = 0.09
    package var hatHighpass = 7_000.0, hatLowpass = 14_000.0, hatDecay = 0.018, openHatDecay = 0.12, hatMetal = 0.5
    package var hatPitch = 1.0
    package var shakerCentreHz = 6_500.0, shakerDecay = 0.03
    package var tomHz = 110.0, congaHz = 260.0, rimHz = 1_700.0
    /// Drum-bus low-pass for dusty kits; `nil` = open.
    package var busLowpass: Double?

    package init() {}

    /// The voice for one hit at `start` with `velocity` (0…1).
    package func voice(_ instrument: DrumInstrument, start: Int, velocity: Double, sampleRate: Double, seed: UInt32)
        -> any Voice
    {
        let level = Float(velocity) * instrument.gain
        switch instrument {
        case .kick:
            return KickVoice(start: start, kit: self, level: level, sampleRate: sampleRate, seed: seed)
        case .snare:
            return SnareVoice(start: start, kit: self, level: level, sampleRate: sampleRate, seed: seed)
        case .clap:
            return ClapVoice(start: start, kit: self, level: level, sampleRate: sampleRate, seed: seed)
        case .closedHat, .openHat, .ride, .crash:
            return MetalVoice(
                start: start, instrument: instrument, kit: self, level: level, sampleRate: sampleRate,
                seed: seed)
        case .shaker, .rim:
            return NoiseHitVoice(
                start: start, instrument: instrument, kit: self, level: level,
                sampleRate: sampleRate, seed: seed)
        case .tomLow, .tomMid, .tomHigh, .conga:
            return TomVoice(
                start: start, instrument: instrument, kit: self, level: level, sampleRate: sampleRate,
                seed: seed)
        }
    }
}
