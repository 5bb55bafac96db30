import AudioTagging
import CFFTW
import Foundation

/// The tagging networks' input, exactly as they were trained (librosa 0.6's `melspectrogram` as
/// musicnn 0.1.0 called it): frames of 512 samples every 256 at 16 kHz, centred on their hop (the
/// signal reflected at both ends), a periodic Hann window, the power spectrum, 96 Slaney mel bands
/// (0–8 kHz, area-normalised), then log10(10000·x + 1) in float32. (musicnn 0.1.0 rounds to float16
/// before the log, which overflows to infinity on loud tracks; this does not.)
struct LogMelSpectrogram {
    static let bands = MusicnnModel.bands
    static let frameSize = AudioTagger.frameSize
    static let hopSize = AudioTagger.hopSize

    /// The Slaney filterbank: for each band, its first FFT bin and weights.
    static let filterbank: [(first: Int, weights: [Float])] = slaneyFilterbank(
        bands: bands, frameSize: frameSize, sampleRate: Double(AudioTagger.sampleRate))

    private let plan: FFTPlan

    init(planner: FFTPlanner) {
        plan = planner.plan(size: Self.frameSize)
    }

    /// Frames of a signal of `count` samples: one per hop, the first centred on sample 0.
    static func frames(samples count: Int) -> Int { 1 + count / hopSize }

    /// `frames` log-mel frames (time-major, `bands` values each) from frame `first` of `samples`,
    /// taking frame indices modulo the signal's frame count, so a track shorter than a patch repeats.
    func frames(of samples: [Float], first: Int, count frames: Int) -> [Float] {
        let total = Self.frames(samples: samples.count)
        let size = Self.frameSize
        let bins = size / 2 + 1
        var output = [Float](repeating: 0, count: frames * Self.bands)
        let pair = fftwf_alloc_complex(size)!
        let scratch = fftwf_alloc_complex(size)!
        let powers = UnsafeMutablePointer<Float>.allocate(capacity: 2 * bins)
        defer {
            fftwf_free(pair)
            fftwf_free(scratch)
            powers.deallocate()
        }
        let window = plan.hannWindow
        let interleaved = UnsafeMutableRawPointer(pair).assumingMemoryBound(to: Float.self)
        samples.withUnsafeBufferPointer { samples in
            var index = 0
            while index < frames {
                // Two frames a transform: the first as the real part, the second as the imaginary.
                for lane in 0..<2 {
                    let frame = (first + min(index + lane, frames - 1)) % total
                    let start = frame * Self.hopSize - size / 2
                    for n in 0..<size {
                        interleaved[2 * n + lane] = Self.reflected(samples, start + n) * window[n]
                    }
                }
                plan.powers(of: pair, scratch: scratch, into: powers, powers + bins)
                for lane in 0..<min(2, frames - index) {
                    let spectrum = powers + lane * bins
                    let out = (index + lane) * Self.bands
                    for (band, filter) in Self.filterbank.enumerated() {
                        var sum: Float = 0
                        for (offset, weight) in filter.weights.enumerated() { sum += spectrum[filter.first + offset] * weight }
                        output[out + band] = log10(10_000 * sum + 1)
                    }
                }
                index += 2
            }
        }
        return output
    }

    /// Sample `index` of the signal reflected about its first and last samples (numpy's "reflect").
    @inline(__always)
    static func reflected(_ samples: UnsafeBufferPointer<Float>, _ index: Int) -> Float {
        let count = samples.count
        guard count > 1 else { return count == 1 ? samples[0] : 0 }
        let period = 2 * (count - 1)
        var position = index % period
        if position < 0 { position += period }
        if position >= count { position = period - position }
        return samples[position]
    }

    /// librosa's `filters.mel(sr, n_fft, n_mels, htk=False, norm="slaney")`: triangles evenly spaced
    /// on the Slaney mel scale (linear below 1 kHz, logarithmic above), each scaled to unit area.
    static func slaneyFilterbank(bands: Int, frameSize: Int, sampleRate: Double) -> [(first: Int, weights: [Float])] {
        let linearStep = 200.0 / 3
        let logStart = 1000.0
        let logStartMel = logStart / linearStep
        let logStep = log(6.4) / 27
        func mel(_ hz: Double) -> Double { hz < logStart ? hz / linearStep : logStartMel + log(hz / logStart) / logStep }
        func hz(_ mel: Double) -> Double { mel < logStartMel ? mel * linearStep : logStart * exp(logStep * (mel - logStartMel)) }
        let maxMel = mel(sampleRate / 2)
        let edges = (0..<(bands + 2)).map { hz(maxMel * Double($0) / Double(bands + 1)) }
        let bins = frameSize / 2 + 1
        let binHz = (0..<bins).map { sampleRate / 2 * Double($0) / Double(bins - 1) }
        return (0..<bands).map { band in
            let (low, centre, high) = (edges[band], edges[band + 1], edges[band + 2])
            let norm = 2 / (high - low)
            let weights = binHz.map { frequency in
                max(0, min((frequency - low) / (centre - low), (high - frequency) / (high - centre))) * norm
            }
            let first = weights.firstIndex { $0 > 0 } ?? 0
            let last = weights.lastIndex { $0 > 0 } ?? first
            return (first, weights[first...last].map(Float.init))
        }
    }
}
