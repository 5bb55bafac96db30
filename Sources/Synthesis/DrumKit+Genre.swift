import SynthesisVoices

extension DrumKit {
    /// A kit in `genre`'s character. `energy` opens hat and snare brightness; `tonic` tunes the kick.
    static func make(genre: Genre, tonic: Int, energy: Double, random: inout SeededRandom) -> DrumKit {
        var kit = DrumKit()
        let tonicHz = Tuning.frequency(midi: Double(24 + tonic))  // C1…B1
        /// The tonic placed in `range` by octaves. Always the tonic, never the fifth: a tonal kick on the fifth
        /// pulls chroma-based key estimates there.
        func tuned(_ range: Range<Double>) -> Double {
            var f = tonicHz
            while f < range.lowerBound { f *= 2 }
            while f >= range.upperBound { f /= 2 }
            return f
        }
        let bright = energy
        kit.hatHighpass = random.uniform(6_000...8_500) + 1_500 * bright
        kit.hatLowpass = 7_000 + 9_000 * bright + random.uniform(-1_000...1_000)
        kit.hatDecay = random.uniform(0.012...0.026)
        kit.openHatDecay = random.uniform(0.08...0.16)
        kit.hatMetal = random.uniform(0.25...0.75)
        kit.hatPitch = random.uniform(0.9...1.35)
        kit.snareNoiseLowpass = 6_000 + 7_000 * bright
        kit.clapCentreHz = random.uniform(1_000...1_700)
        kit.clapTail = random.uniform(0.06...0.12)
        kit.shakerCentreHz = random.uniform(5_000...8_000)
        kit.tomHz = random.uniform(90...140)
        kit.congaHz = random.uniform(220...320)
        kit.rimHz = random.uniform(1_400...2_000)
        kit.snareToneHz = random.uniform(170...240)

        switch genre {
        case .techno, .trance:
            kit.kickEndHz = tuned(38..<76)
            kit.kickStartHz = random.uniform(200...320)
            kit.kickPitchTime = random.uniform(0.012...0.02)
            kit.kickDecay = genre == .trance ? random.uniform(0.12...0.18) : random.uniform(0.09...0.15)
            kit.kickClick = random.uniform(0.25...0.5)
            kit.kickDrive = random.uniform(1.8...3.2)
        case .house, .disco:
            kit.kickEndHz = tuned(38..<76)
            kit.kickStartHz = random.uniform(160...240)
            kit.kickPitchTime = random.uniform(0.01...0.016)
            kit.kickDecay = genre == .disco ? random.uniform(0.06...0.09) : random.uniform(0.09...0.13)
            kit.kickClick = random.uniform(0.2...0.4)
            kit.kickDrive = random.uniform(1.3...2.0)
            kit.snareToneMix = genre == .disco ? 0.45 : 0.3
        case .drumAndBass:
            kit.kickEndHz = tuned(38..<76)
            kit.kickStartHz = random.uniform(220...300)
            kit.kickPitchTime = random.uniform(0.008...0.013)
            kit.kickDecay = random.uniform(0.06...0.09)
            kit.kickClick = random.uniform(0.4...0.7)
            kit.kickDrive = random.uniform(1.5...2.2)
            kit.snareToneHz = random.uniform(210...260)
            kit.snareNoiseDecay = random.uniform(0.07...0.11)
            kit.snareNoiseHighpass = 1_800
        case .hipHop, .lofi:
            kit.kickEndHz = tuned(38..<76)
            kit.kickStartHz = random.uniform(120...170)
            kit.kickPitchTime = random.uniform(0.014...0.022)
            kit.kickDecay = random.uniform(0.12...0.2)
            kit.kickClick = random.uniform(0.1...0.25)
            kit.kickDrive = random.uniform(1.2...1.8)
            kit.snareToneHz = random.uniform(160...200)
            kit.snareToneMix = 0.45
            kit.snareNoiseDecay = random.uniform(0.1...0.16)
            kit.snareNoiseHighpass = 700
            kit.snareNoiseLowpass = genre == .lofi ? 4_500 : 7_000
            kit.hatLowpass = genre == .lofi ? 6_000 : kit.hatLowpass * 0.8
            kit.busLowpass = genre == .lofi ? random.uniform(5_000...7_500) : nil
        case .dubstep:
            kit.kickEndHz = tuned(38..<76)
            kit.kickStartHz = random.uniform(250...350)
            kit.kickPitchTime = random.uniform(0.012...0.018)
            kit.kickDecay = random.uniform(0.12...0.17)
            kit.kickClick = random.uniform(0.4...0.6)
            kit.kickDrive = random.uniform(2.5...4)
            kit.snareToneHz = random.uniform(180...220)
            kit.snareNoiseDecay = random.uniform(0.14...0.2)
            kit.snareToneMix = 0.4
        case .reggaeton:
            // An 808: long, tonal, pitched exactly on the tonic.
            kit.kickEndHz = tuned(40..<80)
            kit.kickStartHz = kit.kickEndHz * random.uniform(2.2...3)
            kit.kickPitchTime = random.uniform(0.01...0.016)
            kit.kickDecay = random.uniform(0.09...0.13)
            // A long, bright beater click: a tonal 808 alone gives onset detectors little to see, and the
            // dembow snare's 3+3+2 would then be heard as the pulse.
            kit.kickClick = random.uniform(0.5...0.7)
            kit.kickClickDecay = 0.012
            kit.kickDrive = random.uniform(1.5...2.5)
            // The dembow snare is short and tight; a ringing one would mask the kick a 16th later and make the
            // 3+3+2 figure sound like the beat.
            kit.snareToneHz = random.uniform(200...250)
            kit.snareToneDecay = 0.025
            kit.snareNoiseDecay = random.uniform(0.03...0.04)
        case .ambient:
            kit.kickEndHz = tuned(38..<76)
            kit.kickStartHz = random.uniform(100...140)
            kit.kickPitchTime = random.uniform(0.014...0.022)
            kit.kickDecay = random.uniform(0.14...0.22)
            kit.kickClick = 0.05
            kit.kickDrive = 1.1
            kit.hatLowpass = 7_000
            kit.busLowpass = 6_000
        }
        return kit
    }
}
