import SynthesisVoices
/// One instrument's line in a drum pattern.
///
/// Written as a step string, one character per 16th: `X` accent, `x` normal, `o` soft, `g` ghost, `.` rest.
/// Strings of 32 characters span two bars. A lane only plays when the (section-adjusted) energy lies in
/// `minEnergy..<maxEnergy`, which is how energy thins or thickens the kit without separate patterns.
struct DrumLane: Sendable {
    var instrument: DrumInstrument
    var velocities: [Double]
    var minEnergy: Double
    var maxEnergy: Double

    init(_ instrument: DrumInstrument, _ steps: String, min minEnergy: Double = 0, max maxEnergy: Double = 2) {
        self.instrument = instrument
        velocities = steps.map { character in
            switch character {
            case "X": 1.0
            case "x": 0.8
            case "o": 0.55
            case "g": 0.3
            default: 0
            }
        }
        self.minEnergy = minEnergy
        self.maxEnergy = maxEnergy
    }

    /// Bars the lane spans before repeating.
    var bars: Int { max(1, velocities.count / 16) }

    /// Velocity at `step` (0..<16) of `bar`, 0 for a rest.
    func velocity(bar: Int, step: Int) -> Double {
        let index = (bar % bars) * 16 + step
        return index < velocities.count ? velocities[index] : 0
    }
}

/// A groove: the lanes that together make one genre's beat.
struct DrumPattern: Sendable {
    var lanes: [DrumLane]
}

/// What the drummer does at the end of a phrase.
enum FillKind: Sendable {
    /// Snare 16ths over the last two beats, rising in velocity.
    case snareRoll
    /// Toms down the kit over the last beat.
    case tomRun
    /// Everything but hats stops on the last beat; an open hat and a snare pickup lead back in.
    case dropout
    /// Breakbeat edit: the last beat becomes kick-snare chops.
    case breakChop
    /// Timbales/congas rolling over the last beat (reggaeton, disco).
    case percussionRoll
}

extension Genre {
    /// The grooves this genre draws from; each track picks one.
    var drumPatterns: [DrumPattern] {
        switch self {
        case .techno:
            let base = [
                DrumLane(.kick, "X...X...X...X..."),
                DrumLane(.closedHat, "..x...x...x...x.", max: 0.5),
                DrumLane(.openHat, "..x...x...x...x.", min: 0.5),
                DrumLane(.closedHat, "gg.ggg.ggg.ggg.g", min: 0.7),
                DrumLane(.clap, "....x.......x...", min: 0.35),
            ]
            return [
                DrumPattern(lanes: base + [DrumLane(.rim, "...o..o....o.o..", min: 0.55)]),
                DrumPattern(
                    lanes: base + [
                        DrumLane(.conga, "......o.....o..o", min: 0.6), DrumLane(.kick, "..............g.", min: 0.6),
                    ]),
                DrumPattern(lanes: base + [DrumLane(.ride, "x.x.x.x.x.x.x.x.", min: 0.8)]),
            ]
        case .house:
            let base = [
                DrumLane(.kick, "X...X...X...X..."),
                DrumLane(.clap, "....x.......x..."),
                DrumLane(.closedHat, "..x...x...x...x.", max: 0.4),
                DrumLane(.openHat, "..x...x...x...x.", min: 0.4),
            ]
            return [
                DrumPattern(lanes: base + [DrumLane(.shaker, "gxgogxgogxgogxgo", min: 0.5)]),
                DrumPattern(
                    lanes: base + [
                        DrumLane(.closedHat, "g..g...gg..g...g", min: 0.55),
                        DrumLane(.rim, "...o..o.....o...", min: 0.65),
                    ]),
                DrumPattern(
                    lanes: base + [
                        DrumLane(.shaker, "gogogogogogogogo", min: 0.45),
                        DrumLane(.conga, ".......o.o....o.", min: 0.7),
                    ]),
            ]
        case .drumAndBass:
            return [
                DrumPattern(lanes: [
                    DrumLane(.kick, "X.........x.....X.........x....."),
                    DrumLane(.snare, "....X.......X.......X.......X..."),
                    DrumLane(.snare, ".......g.g.............g.....g..", min: 0.5),
                    DrumLane(.closedHat, "x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x."),
                    DrumLane(.closedHat, ".g.g.g.g.g.g.g.g.g.g.g.g.g.g.g.g", min: 0.7),
                    DrumLane(.ride, "x...x...x...x...x...x...x...x...", min: 0.8),
                ]),
                DrumPattern(lanes: [
                    DrumLane(.kick, "X.x.......xx....X.x.......x....."),
                    DrumLane(.snare, "....X..g.g..X..g....X..g.g....X."),
                    DrumLane(.closedHat, "x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x."),
                    DrumLane(.shaker, "gggggggggggggggggggggggggggggggg", min: 0.65),
                    DrumLane(.openHat, "..............o...............o.", min: 0.5),
                ]),
                DrumPattern(lanes: [
                    DrumLane(.kick, "X.........X.....X......x..x....."),
                    DrumLane(.snare, "....X.......X.g.....X.......X..."),
                    DrumLane(.closedHat, "x.xgx.xgx.xgx.xgx.xgx.xgx.xgx.xg"),
                    DrumLane(.ride, "..x...x...x...x...x...x...x...x.", min: 0.75),
                ]),
            ]
        case .hipHop:
            return [
                DrumPattern(lanes: [
                    DrumLane(.kick, "X......x..X.....X.x....x..x....."),
                    DrumLane(.snare, "....X.......X.......X.......X..."),
                    DrumLane(.closedHat, "x.o.x.o.x.o.x.o.x.o.x.o.x.o.x.o."),
                    DrumLane(.closedHat, "...g.......g.......g.....g.g...g", min: 0.5),
                    DrumLane(.openHat, "..............................o.", min: 0.45),
                ]),
                DrumPattern(lanes: [
                    DrumLane(.kick, "X.....x...x.....X.....x.x..x...."),
                    DrumLane(.snare, "....X.......X.......X.......X..g"),
                    DrumLane(.closedHat, "x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x."),
                    DrumLane(.rim, "..........o...........o.......o.", min: 0.55),
                ]),
            ]
        case .trance:
            let base = [
                DrumLane(.kick, "X...X...X...X..."),
                DrumLane(.openHat, "..x...x...x...x.", min: 0.3),
                DrumLane(.closedHat, "..x...x...x...x.", max: 0.3),
                DrumLane(.clap, "....x.......x...", min: 0.3),
            ]
            return [
                DrumPattern(lanes: base + [DrumLane(.closedHat, "gg.ggg.ggg.ggg.g", min: 0.55)]),
                DrumPattern(
                    lanes: base + [
                        DrumLane(.closedHat, "g.g.g.g.g.g.g.g.", min: 0.5),
                        DrumLane(.ride, "x.x.x.x.x.x.x.x.", min: 0.85),
                    ]),
            ]
        case .dubstep:
            return [
                DrumPattern(lanes: [
                    DrumLane(.kick, "X.........x.....X.....x........."),
                    DrumLane(.snare, "........X...............X......."),
                    DrumLane(.clap, "........x...............x.......", min: 0.6),
                    DrumLane(.closedHat, "x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x."),
                    DrumLane(.closedHat, "...g...g.g.g...g...g...g..gg.g.g", min: 0.7),
                ]),
                DrumPattern(lanes: [
                    DrumLane(.kick, "X.....x...x.....X.........x....."),
                    DrumLane(.snare, "........X...............X.....g."),
                    DrumLane(.closedHat, "x..xx..xx..xx..x"),
                    DrumLane(.openHat, "......o.......o.", min: 0.55),
                    DrumLane(.tomMid, "..............................o.", min: 0.75),
                ]),
            ]
        case .lofi:
            return [
                DrumPattern(lanes: [
                    DrumLane(.kick, "X.......x.x.....X.......x......."),
                    DrumLane(.snare, "....x.......x.......x.......x..."),
                    DrumLane(.closedHat, "o.g.o.g.o.g.o.g.o.g.o.g.o.g.o.gg"),
                    DrumLane(.shaker, "..g...g...g...g...g...g...g...g.", min: 0.35),
                ]),
                DrumPattern(lanes: [
                    DrumLane(.kick, "X.....x...x.....X......x..x....."),
                    DrumLane(.rim, "....x.......x.......x.......x..."),
                    DrumLane(.snare, "............o...............o...", min: 0.35),
                    DrumLane(.closedHat, "o.o.o.o.o.o.o.o.o.o.o.o.o.o.o.o."),
                ]),
            ]
        case .disco:
            let base = [
                DrumLane(.kick, "X...X...X...X..."),
                DrumLane(.snare, "....X.......X..."),
                DrumLane(.openHat, "..x...x...x...x."),
                DrumLane(.closedHat, "xg.gxg.gxg.gxg.g", min: 0.5),
            ]
            return [
                DrumPattern(lanes: base + [DrumLane(.shaker, "gogogogogogogogo", min: 0.6)]),
                DrumPattern(
                    lanes: base + [
                        DrumLane(.conga, ".......o......o.", min: 0.55), DrumLane(.clap, "....o.......o...", min: 0.7),
                    ]),
            ]
        case .reggaeton:
            return [
                DrumPattern(lanes: [
                    DrumLane(.kick, "X...X...X...X..."),
                    DrumLane(.snare, "...g..o....g..o."),
                    DrumLane(.closedHat, "X.g.X.g.X.g.X.g."),
                    DrumLane(.openHat, "..o...o...o...o."),
                    DrumLane(.rim, "......g.......g.", min: 0.6),
                ]),
                DrumPattern(lanes: [
                    DrumLane(.kick, "X...X...X...X..."),
                    DrumLane(.snare, "...g..o....g..o."),
                    DrumLane(.clap, "......g.......g.", min: 0.65),
                    DrumLane(.closedHat, "X.o.X.o.X.o.X.o."),
                    DrumLane(.shaker, "..g...g...g...g.", min: 0.4),
                    DrumLane(.conga, "..........o.o...", min: 0.7),
                ]),
            ]
        case .ambient:
            return [
                DrumPattern(lanes: [
                    DrumLane(.kick, "X.......x......."),
                    DrumLane(.rim, "....o.......o..."),
                    DrumLane(.shaker, "o.g.o.g.o.g.o.g."),
                    DrumLane(.closedHat, "..g...g...g...g.", min: 0.3),
                ]),
                DrumPattern(lanes: [
                    DrumLane(.kick, "X...o...x...o..."),
                    DrumLane(.shaker, "g.g.g.g.g.g.g.g."),
                    DrumLane(.conga, "......o.......o.", min: 0.3),
                ]),
            ]
        }
    }

    /// The fills this genre's drummers reach for.
    var fills: [FillKind] {
        switch self {
        case .techno: [.dropout, .snareRoll]
        case .house: [.tomRun, .dropout, .snareRoll]
        case .drumAndBass: [.breakChop, .snareRoll]
        case .hipHop, .lofi: [.dropout, .breakChop]
        case .trance: [.snareRoll]
        case .dubstep: [.snareRoll, .breakChop]
        case .disco: [.tomRun, .percussionRoll]
        case .reggaeton: [.percussionRoll, .dropout]
        case .ambient: [.dropout]
        }
    }
}
