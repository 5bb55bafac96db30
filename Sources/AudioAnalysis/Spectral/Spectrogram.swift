import CFFTW
import Foundation

/// The short-time Fourier transform, frame by frame: magnitude spectra of overlapping Hann-windowed
/// frames handed to a closure one at a time, so no estimator holds a whole spectrogram in memory.
struct Spectrogram {
    let frameSize: Int
    let hopSize: Int
    let sampleRate: Int
    let plan: FFTPlan

    var bins: Int { frameSize / 2 + 1 }
    var framesPerSecond: Double { Double(sampleRate) / Double(hopSize) }
    var binHz: Double { Double(sampleRate) / Double(frameSize) }

    init(sampleRate: Int, frameSize: Int, hopSize: Int, planner: FFTPlanner) {
        self.frameSize = frameSize
        self.hopSize = hopSize
        self.sampleRate = sampleRate
        plan = planner.plan(size: frameSize)
    }

    /// Frames that `count` samples make: frames start at 0, hopSize, …; the last is zero-padded.
    func frameCount(samples count: Int) -> Int { count == 0 ? 0 : (count + hopSize - 1) / hopSize }

    /// Calls `body` with each frame's index and magnitudes (`bins` values, valid only during the call).
    func forEachFrame(of samples: [Float], _ body: (Int, UnsafeBufferPointer<Float>) -> Void) {
        let frames = frameCount(samples: samples.count)
        let window = (0..<frameSize).map { index in
            Float(0.5 - 0.5 * cos(2 * Double.pi * Double(index) / Double(frameSize)))
        }
        let input = UnsafeMutablePointer<Float>.allocate(capacity: frameSize)
        let output = UnsafeMutablePointer<fftwf_complex>.allocate(capacity: bins)
        let magnitudes = UnsafeMutableBufferPointer<Float>.allocate(capacity: bins)
        defer {
            input.deallocate()
            output.deallocate()
            magnitudes.deallocate()
        }
        samples.withUnsafeBufferPointer { samples in
            for frame in 0..<frames {
                let start = frame * hopSize
                let available = min(frameSize, samples.count - start)
                for index in 0..<available { input[index] = samples[start + index] * window[index] }
                for index in available..<frameSize { input[index] = 0 }
                plan.execute(input, output)
                for bin in 0..<bins {
                    let re = output[bin].0
                    let im = output[bin].1
                    magnitudes[bin] = (re * re + im * im).squareRoot()
                }
                body(frame, UnsafeBufferPointer(magnitudes))
            }
        }
    }
}
