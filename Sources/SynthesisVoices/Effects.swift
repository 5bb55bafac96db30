import Foundation

/// A small mono Freeverb-style reverb: parallel damped combs into series allpasses.
///
/// Mono and cheap (six combs, three allpasses), but enough to put pads and the lead in a room. It streams block
/// by block from one flat allocation of a few thousand samples, whatever the track length.
package final class Reverb {
    private let lines: UnsafeMutablePointer<Float>
    private var combStart: [Int] = []
    private var combLength: [Int] = []
    private var combIndex: [Int] = []
    private var combStore: [Float] = []
    private var allpassStart: [Int] = []
    private var allpassLength: [Int] = []
    private var allpassIndex: [Int] = []
    private let feedback: Float
    private let damping: Float
    private let scratch: UnsafeMutablePointer<Float>
    private let scratchCapacity: Int

    /// `size` 0…1 scales delay lengths and decay time; `damping` 0…1 darkens the tail.
    package init(sampleRate: Double, size: Double, damping: Double, blockSize: Int) {
        scratchCapacity = blockSize
        scratch = .allocate(capacity: blockSize)
        let scale = sampleRate / 44_100 * (0.8 + 0.4 * size)
        var offset = 0
        for length in [1116, 1188, 1277, 1356, 1422, 1557] {
            let scaled = max(8, Int(Double(length) * scale))
            combStart.append(offset)
            combLength.append(scaled)
            combIndex.append(0)
            combStore.append(0)
            offset += scaled
        }
        for length in [556, 441, 341] {
            let scaled = max(8, Int(Double(length) * scale))
            allpassStart.append(offset)
            allpassLength.append(scaled)
            allpassIndex.append(0)
            offset += scaled
        }
        lines = .allocate(capacity: offset)
        lines.initialize(repeating: 0, count: offset)
        feedback = Float(0.72 + 0.24 * min(max(size, 0), 1))
        self.damping = Float(min(max(damping, 0), 0.95))
    }

    deinit {
        lines.deallocate()
        scratch.deallocate()
    }

    /// Replaces `count` samples of `buffer` (the send) with the wet reverb signal; `count` ≤ `scratch` capacity.
    package func process(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        precondition(count <= scratchCapacity)
        // One tight loop per comb over the whole block (no per-sample indexing of state arrays), summing into
        // the scratch block; then the allpasses in series, each over the block.
        let wet = scratch
        wet.update(repeating: 0, count: count)
        let damp = damping, fb = feedback
        for c in 0..<combStart.count {
            let line = lines + combStart[c]
            let length = combLength[c]
            var index = combIndex[c]
            var store = combStore[c]
            for i in 0..<count {
                let out = line[index]
                store = out * (1 - damp) + store * damp
                line[index] = buffer[i] * 0.1 + store * fb
                wet[i] += out
                index += 1
                if index == length { index = 0 }
            }
            combIndex[c] = index
            combStore[c] = store
        }
        for a in 0..<allpassStart.count {
            let line = lines + allpassStart[a]
            let length = allpassLength[a]
            var index = allpassIndex[a]
            for i in 0..<count {
                let delayed = line[index]
                let input = wet[i]
                line[index] = input + delayed * 0.5
                wet[i] = delayed - input
                index += 1
                if index == length { index = 0 }
            }
            allpassIndex[a] = index
        }
        buffer.update(from: wet, count: count)
    }
}

/// A tempo-synced feedback delay with a low-passed feedback path (echoes get darker, like tape or a dub unit).
package final class FeedbackDelay {
    private let line: UnsafeMutablePointer<Float>
    private let length: Int
    private var index = 0
    private let feedback: Float
    private var tone: OnePoleFilter

    /// `delaySamples` is clamped to 1…3 s worth of samples.
    package init(delaySamples: Int, feedback: Double, sampleRate: Double) {
        length = min(max(1, delaySamples), Int(sampleRate * 3))
        line = .allocate(capacity: length)
        line.initialize(repeating: 0, count: length)
        self.feedback = Float(min(max(feedback, 0), 0.85))
        tone = OnePoleFilter(cutoff: 3_500, sampleRate: sampleRate)
    }

    deinit { line.deallocate() }

    /// Replaces `count` samples of `buffer` (the send) with the echoes only.
    package func process(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        let line = self.line, length = self.length, feedback = self.feedback
        var index = self.index, tone = self.tone
        for i in 0..<count {
            let delayed = line[index]
            line[index] = buffer[i] + tone.lowpass(delayed) * feedback
            buffer[i] = delayed
            index += 1
            if index == length { index = 0 }
        }
        self.index = index
        self.tone = tone
    }
}

/// Sidechain "pumping": music ducks after every kick, as when a compressor is keyed from the kick.
///
/// Instead of a compressor, the gain is computed from the time since the most recent kick, which the drum part
/// reports as it schedules kicks. This is what makes four-on-the-floor genres breathe.
package struct SidechainDucker {
    private var kicks: [Int] = []
    private var cursor = 0
    private let releaseSamples: Double
    private let attackSamples: Double
    /// 0 = no ducking … 1 = full ducking at the kick.
    let depth: Float

    package init(depth: Double, releaseSeconds: Double, sampleRate: Double) {
        self.depth = Float(min(max(depth, 0), 0.95))
        releaseSamples = max(1, releaseSeconds * sampleRate)
        attackSamples = 0.004 * sampleRate
    }

    /// Registers a kick; kicks may arrive slightly out of order (humanisation), so keep the list sorted.
    package mutating func addKick(at sample: Int) {
        var position = kicks.count
        while position > cursor, kicks[position - 1] > sample { position -= 1 }
        kicks.insert(sample, at: position)
    }

    /// Writes the gain for samples `start..<start+count` into `gains`.
    package mutating func gains(start: Int, count: Int, into gains: UnsafeMutablePointer<Float>) {
        guard depth > 0 else {
            gains.update(repeating: 1, count: count)
            return
        }
        // Forget kicks long past, keeping the one that governs the current sample.
        if cursor > 256 {
            kicks.removeFirst(cursor)
            cursor = 0
        }
        for i in 0..<count {
            let sample = start + i
            while cursor + 1 < kicks.count, kicks[cursor + 1] <= sample { cursor += 1 }
            guard cursor < kicks.count, kicks[cursor] <= sample else {
                gains[i] = 1
                continue
            }
            let since = Double(sample - kicks[cursor])
            // A 4 ms fade down, then an exponential recovery: the classic pump shape.
            let duck = since < attackSamples ? since / attackSamples : exp(-(since - attackSamples) / releaseSamples)
            gains[i] = 1 - depth * Float(duck)
        }
    }
}
