import SynthesisVoices
import Foundation

/// Renders active voices block by block into buses, then mixes: sidechain ducking, reverb and delay sends,
/// bus levels, master tone, vinyl crackle and a soft clipper whose drive rises with energy (denser, louder
/// masters for high-energy tracks; open dynamics for quiet ones).
///
/// All scratch memory is a few blocks plus the effect lines, independent of the track's length.
final class Mixer {
    static let blockSize = 512

    private let buses: UnsafeMutablePointer<Float>
    private let duck: UnsafeMutablePointer<Float>
    private let send: UnsafeMutablePointer<Float>
    private let echo: UnsafeMutablePointer<Float>
    private var ducker: SidechainDucker
    private let reverb: Reverb
    private let delay: FeedbackDelay
    private var dcBlocker: DCBlocker
    private var masterTone: OnePoleFilter?
    private var drumTone: OnePoleFilter?
    private let drive: Float
    private let headroom: Float = 0.35
    private let busGain: [Float]
    private let reverbSend: Float
    private let delaySend: Float
    private let crackle: Bool
    private var crackleNoise: WhiteNoise
    private var crackleFilter: StateVariableFilter
    private let crackleThreshold: Float

    init(composition c: Composition, drumLowpass: Double?) {
        let size = Self.blockSize
        buses = .allocate(capacity: size * Bus.allCases.count)
        duck = .allocate(capacity: size)
        send = .allocate(capacity: size)
        echo = .allocate(capacity: size)
        ducker = SidechainDucker(
            depth: c.style.sidechain * (0.6 + 0.4 * c.energy),
            releaseSeconds: 0.28 * c.timeline.samplesPerBeat
                / c.sampleRate, sampleRate: c.sampleRate)
        let dreamy = max(0, 0.3 - c.mood.arousal) * 0.5
        reverb = Reverb(
            sampleRate: c.sampleRate, size: min(1, c.style.reverbSize + dreamy), damping: 0.45, blockSize: size)
        delay = FeedbackDelay(
            delaySamples: Int(c.timeline.samplesPerStep * c.style.delaySteps), feedback: c.style.delayFeedback,
            sampleRate: c.sampleRate)
        dcBlocker = DCBlocker(sampleRate: c.sampleRate)
        masterTone = c.style.masterLowpass.map {
            OnePoleFilter(cutoff: $0 * (0.7 + 0.6 * c.brightness), sampleRate: c.sampleRate)
        }
        drumTone = drumLowpass.map { OnePoleFilter(cutoff: $0, sampleRate: c.sampleRate) }
        drive = Float(0.5 + 1.3 * c.energy + 1.6 * c.energy * c.energy)
        // The summed buses peak around +4 dB; this puts typical peaks near -5 dB before the drive, so only
        // high-energy tracks push into the clipper.
        // Levels per bus (drums, drumsWet, bass, chords, lead). The output is peak-normalised, so loudness comes
        // from crest factor: quiet tracks keep sustained parts lower under the drum transients (more dynamic,
        // lower LUFS), energetic ones are denser and driven harder into the clipper (louder).
        let sustainLevel = Float(0.8 + 0.25 * c.energy)
        busGain = [1, 1, 0.85 * sustainLevel, 0.9 * sustainLevel, 1.9 * sustainLevel]
        reverbSend = Float(c.style.reverbSend * (1.2 - 0.4 * c.energy) + dreamy)
        delaySend = Float(c.style.delaySend)
        crackle = c.style.vinylCrackle
        crackleNoise = WhiteNoise(seed: UInt32(truncatingIfNeeded: c.seed) | 1)
        crackleFilter = StateVariableFilter(cutoff: 2_500, q: 0.8, sampleRate: c.sampleRate)
        crackleThreshold = 1 - Float(2 * 9 / c.sampleRate)  // about nine pops a second
    }

    deinit {
        buses.deallocate()
        duck.deallocate()
        send.deallocate()
        echo.deallocate()
    }

    func addKick(at sample: Int) { ducker.addKick(at: sample) }

    /// Renders `voices` for samples `blockStart..<blockStart+count` and writes the mixed block to `output`,
    /// dropping voices that have finished.
    func process(voices: inout [any Voice], blockStart: Int, count: Int, into output: UnsafeMutablePointer<Float>) {
        let size = Self.blockSize
        buses.update(repeating: 0, count: size * Bus.allCases.count)
        var index = 0
        while index < voices.count {
            let voice = voices[index]
            let offset = max(0, voice.start - blockStart)
            let bus = buses + voice.bus.rawValue * size
            let alive = offset < count ? voice.render(into: bus + offset, count: count - offset) : true
            if alive {
                index += 1
            } else {
                voices.swapAt(index, voices.count - 1)
                voices.removeLast()
            }
        }
        ducker.gains(start: blockStart, count: count, into: duck)

        let drums = buses, drumsWet = buses + size, bass = buses + 2 * size
        let chords = buses + 3 * size, lead = buses + 4 * size
        let g = busGain
        for i in 0..<count {
            let d = duck[i]
            let chord = chords[i] * g[3] * d
            let voice = lead[i] * g[4] * (0.5 + 0.5 * d)
            send[i] = (chord + voice) * reverbSend + drumsWet[i] * 0.12
            // Only the lead is echoed: dotted-eighth echoes of percussive chord stabs put a strong 1.5-beat
            // period into the onsets, which tempo estimators then mistake for the beat (2/3 tempo).
            echo[i] = voice * delaySend
        }
        reverb.process(send, count: count)
        delay.process(echo, count: count)

        var dcBlocker = self.dcBlocker, masterTone = self.masterTone, drumTone = self.drumTone
        var crackleNoise = self.crackleNoise, crackleFilter = self.crackleFilter
        for i in 0..<count {
            let d = duck[i]
            var drumMix = drums[i] * g[0] + drumsWet[i] * g[1]
            if drumTone != nil { drumMix = drumTone!.lowpass(drumMix) }
            var x = drumMix + bass[i] * g[2] * d + chords[i] * g[3] * d + lead[i] * g[4] * (0.5 + 0.5 * d)
            x += send[i] * 1.6 + echo[i] * 0.8
            x = dcBlocker.process(x)
            if masterTone != nil { x = masterTone!.lowpass(x) }
            if crackle {
                let n = crackleNoise.next()
                let pop: Float = n > crackleThreshold ? (crackleNoise.next() * 0.25) : 0
                x += crackleFilter.bandNormalised(pop + crackleNoise.next() * 0.002)
            }
            output[i] = Saturation.soft(x * headroom * drive)
        }
        self.dcBlocker = dcBlocker
        self.masterTone = masterTone
        self.drumTone = drumTone
        self.crackleNoise = crackleNoise
        self.crackleFilter = crackleFilter
    }
}
