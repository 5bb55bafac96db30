import CFFTW

/// The short-time Fourier transform of a stream of samples: magnitude spectra of overlapping
/// Hann-windowed frames, handed to a closure one at a time as soon as the samples under them have
/// arrived, so that neither the signal nor its spectrogram is ever held whole.
///
/// Frames start at sample 0, hopSize, 2·hopSize, …; `finish` zero-pads the last ones. A stream of n
/// samples makes ⌈n / hopSize⌉ frames, the same however it was cut into pieces. After `finish` the next
/// sample fed starts a new stream. Frames are transformed two at a time (`FFTPlan`), so a frame may wait
/// for the next one's samples before it is handed on.
final class Spectrogram {
    let frameSize: Int
    let hopSize: Int
    let sampleRate: Int
    private let plan: FFTPlan
    /// Two windowed frames interleaved, and the transform's output: FFTW-allocated, so aligned as the
    /// plan expects.
    private let pair: UnsafeMutablePointer<fftwf_complex>
    private let scratch: UnsafeMutablePointer<fftwf_complex>
    private let magnitudes: (first: UnsafeMutableBufferPointer<Float>, second: UnsafeMutableBufferPointer<Float>)
    /// Samples some frame still to come needs; `pending[0]` is sample `pendingStart` of the stream.
    private var pending: [Float] = []
    private var pendingStart = 0
    private var nextFrame = 0

    var bins: Int { frameSize / 2 + 1 }
    var framesPerSecond: Double { Double(sampleRate) / Double(hopSize) }
    var binHz: Double { Double(sampleRate) / Double(frameSize) }

    init(sampleRate: Int, frameSize: Int, hopSize: Int, planner: FFTPlanner) {
        self.frameSize = frameSize
        self.hopSize = hopSize
        self.sampleRate = sampleRate
        plan = planner.plan(size: frameSize)
        pair = fftwf_alloc_complex(frameSize)!
        scratch = fftwf_alloc_complex(frameSize)!
        magnitudes = (.allocate(capacity: frameSize / 2 + 1), .allocate(capacity: frameSize / 2 + 1))
    }

    deinit {
        fftwf_free(pair)
        fftwf_free(scratch)
        magnitudes.first.deallocate()
        magnitudes.second.deallocate()
    }

    /// Takes the next samples of the stream and calls `body` with the magnitudes (`bins` values, valid
    /// only during the call) of every frame they complete, in order (an odd one last may wait).
    func feed(_ samples: UnsafeBufferPointer<Float>, _ body: (UnsafeBufferPointer<Float>) -> Void) {
        pending.append(contentsOf: samples)
        while start(of: nextFrame + 1) + frameSize <= pending.count {
            transform(start(of: nextFrame), start(of: nextFrame + 1), body)
            nextFrame += 2
        }
        let unneeded = min(pending.count, start(of: nextFrame))
        if unneeded > 0 {
            pending.removeFirst(unneeded)
            pendingStart += unneeded
        }
    }

    /// Ends the stream: the frames that start before its end, zero-padded.
    func finish(_ body: (UnsafeBufferPointer<Float>) -> Void) {
        while start(of: nextFrame) < pending.count {
            let second = start(of: nextFrame + 1) < pending.count ? start(of: nextFrame + 1) : nil
            transform(start(of: nextFrame), second, body)
            nextFrame += second == nil ? 1 : 2
        }
        pending = []
        pendingStart = 0
        nextFrame = 0
    }

    /// The whole of a signal held in memory: `feed`, then `finish`.
    func forEachFrame(of samples: [Float], _ body: (UnsafeBufferPointer<Float>) -> Void) {
        samples.withUnsafeBufferPointer { feed($0, body) }
        finish(body)
    }

    /// Where frame `index` starts in `pending`.
    private func start(of index: Int) -> Int { index * hopSize - pendingStart }

    /// Transforms the frames starting at `first` and `second` (when there is one) in `pending`,
    /// zero-padded past its end, and hands on their magnitudes in order.
    private func transform(_ first: Int, _ second: Int?, _ body: (UnsafeBufferPointer<Float>) -> Void) {
        let values = UnsafeMutableRawPointer(pair).assumingMemoryBound(to: Float.self)
        pending.withUnsafeBufferPointer { samples in
            plan.hannWindow.withUnsafeBufferPointer { window in
                let window = window.baseAddress!
                let firstSource = samples.baseAddress! + first
                if let second, second + frameSize <= samples.count {
                    // Both frames whole, as in all but the last transforms: one interleaving pass.
                    let secondSource = samples.baseAddress! + second
                    for index in 0..<frameSize {
                        values[2 * index] = firstSource[index] * window[index]
                        values[2 * index + 1] = secondSource[index] * window[index]
                    }
                    return
                }
                for (lane, start) in [(0, first), (1, second)] {
                    let available = start.map { min(frameSize, samples.count - $0) } ?? 0
                    if let start {
                        let source = samples.baseAddress! + start
                        for index in 0..<available { values[2 * index + lane] = source[index] * window[index] }
                    }
                    for index in available..<frameSize { values[2 * index + lane] = 0 }
                }
            }
        }
        plan.magnitudes(of: pair, scratch: scratch, into: magnitudes.first.baseAddress!, magnitudes.second.baseAddress!)
        body(UnsafeBufferPointer(magnitudes.first))
        if second != nil { body(UnsafeBufferPointer(magnitudes.second)) }
    }
}
