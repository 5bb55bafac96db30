import SynthesisVoices
import Foundation

/// Renders a `TrackSpec` to mono audio: layered drums, bass, chords and a vocal-like lead at the spec's exact
/// tempo and in its key.
///
/// Rendering is deterministic (same spec, same samples), needs one output buffer plus small fixed scratch, and
/// runs far faster than real time, so tests and benchmarks can synthesise their material on the fly.
public struct TrackRenderer: Sendable {
    /// Output sample rate in Hz.
    public let sampleRate: Int

    /// A renderer at `sampleRate` Hz (at least 8 kHz).
    public init(sampleRate: Int = 44_100) {
        self.sampleRate = max(8_000, sampleRate)
    }

    /// Renders `spec`: mono samples at `sampleRate`, peak-normalised to -1 dBFS; empty for a zero duration.
    public func render(_ spec: TrackSpec) -> [Float] {
        let composition = Composition(spec: spec, sampleRate: sampleRate)
        let total = composition.totalSamples
        guard total > 0 else { return [] }
        var output = [Float](repeating: 0, count: total)

        var drums = DrumPart(composition: composition)
        var bass = BassPart(composition: composition)
        var chords = ChordPart(composition: composition)
        var lead = LeadPart(composition: composition)
        let mixer = Mixer(composition: composition, drumLowpass: drums.busLowpass)

        // Parts are asked for a bar's voices a little before the bar starts (humanised hits may be early), so
        // only about a bar of future voices exists at any time.
        var pending: [any Voice] = []
        var active: [any Voice] = []
        var kicks: [Int] = []
        var nextBar = 0
        let lookahead = Int(0.3 * composition.sampleRate)
        output.withUnsafeMutableBufferPointer { buffer in
            guard let out = buffer.baseAddress else { return }
            var blockStart = 0
            while blockStart < total {
                let count = min(Mixer.blockSize, total - blockStart)
                while nextBar < composition.arrangement.totalBars,
                    Int(composition.timeline.barStart(nextBar)) < blockStart + count + lookahead
                {
                    drums.schedule(bar: nextBar, into: &pending, kicks: &kicks)
                    bass.schedule(bar: nextBar, into: &pending)
                    chords.schedule(bar: nextBar, into: &pending)
                    lead.schedule(bar: nextBar, into: &pending)
                    for kick in kicks { mixer.addKick(at: kick) }
                    kicks.removeAll(keepingCapacity: true)
                    pending.sort { $0.start < $1.start }
                    nextBar += 1
                }
                var ready = 0
                while ready < pending.count && pending[ready].start < blockStart + count { ready += 1 }
                if ready > 0 {
                    active.append(contentsOf: pending[..<ready])
                    pending.removeFirst(ready)
                }
                mixer.process(voices: &active, blockStart: blockStart, count: count, into: out + blockStart)
                blockStart += count
            }
        }
        Mastering.finish(
            &output, noiseLevel: spec.noiseLevel, seed: spec.seed, sampleRate: composition.sampleRate)
        return output
    }
}

/// The last steps over the whole buffer: fade the ends, add measurement noise, normalise the peak.
enum Mastering {
    /// -1 dBFS.
    static let peakTarget: Float = 0.891

    static func finish(_ samples: inout [Float], noiseLevel: Double, seed: UInt64, sampleRate: Double) {
        guard !samples.isEmpty else { return }
        // Short fades so the clip starts and stops without a click.
        let fadeOut = min(samples.count, Int(0.02 * sampleRate))
        for i in 0..<fadeOut {
            samples[samples.count - 1 - i] *= Float(i) / Float(fadeOut)
        }

        let level = noiseLevel.isFinite ? max(0, noiseLevel) : 0
        if level > 0 {
            let musicRMS = rms(samples)
            // Two passes of the same seeded pink noise: the first measures its RMS, the second adds it scaled so
            // that its RMS is exactly `noiseLevel` times the music's.
            var probe = PinkNoise(seed: seed)
            var sumSquares = 0.0
            for _ in samples.indices {
                let n = Double(probe.next())
                sumSquares += n * n
            }
            let noiseRMS = (sumSquares / Double(samples.count)).squareRoot()
            if musicRMS > 0 && noiseRMS > 0 {
                let gain = Float(level * musicRMS / noiseRMS)
                var pink = PinkNoise(seed: seed)
                for i in samples.indices { samples[i] += pink.next() * gain }
            }
        }

        var peak: Float = 0
        for sample in samples { peak = max(peak, abs(sample)) }
        guard peak > 0 else { return }
        let scale = peakTarget / peak
        for i in samples.indices { samples[i] *= scale }
    }

    static func rms(_ samples: [Float]) -> Double {
        var sum = 0.0
        for sample in samples { sum += Double(sample) * Double(sample) }
        return (sum / Double(max(1, samples.count))).squareRoot()
    }
}

/// Pink (1/f) noise by Paul Kellet's economy filter: closer to real-world background noise than white.
struct PinkNoise {
    private var white: WhiteNoise
    private var b0: Float = 0
    private var b1: Float = 0
    private var b2: Float = 0

    init(seed: UInt64) {
        var random = SeededRandom(seed: seed, stream: .noise)
        white = WhiteNoise(seed: random.seed32())
    }

    mutating func next() -> Float {
        let w = white.next()
        b0 = 0.99765 * b0 + w * 0.099_046
        b1 = 0.963 * b1 + w * 0.296_516_4
        b2 = 0.57 * b2 + w * 1.052_691_3
        return (b0 + b1 + b2 + w * 0.1848) * 0.25
    }
}
