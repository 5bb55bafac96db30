import CFFTW
import Foundation
import Testing

@testable import AudioAnalysis

/// The numeric building blocks under the estimators: the paired FFT, the streaming spectrogram, the fast
/// logarithm and square root, and the streaming waveform, each against a plain reference.
@Suite struct SpectralTests {
    /// Deterministic noise in -1…1.
    static func noise(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
        }
    }

    /// |Σ x[n]·e^(-2πikn/N)| for k in 0...N/2, in Double.
    static func referenceMagnitudes(_ signal: [Float]) -> [Double] {
        let size = signal.count
        return (0...(size / 2)).map { k in
            var real = 0.0
            var imaginary = 0.0
            for (n, value) in signal.enumerated() {
                let angle = -2 * Double.pi * Double(k * n % size) / Double(size)
                real += Double(value) * cos(angle)
                imaginary += Double(value) * sin(angle)
            }
            return (real * real + imaginary * imaginary).squareRoot()
        }
    }

    @Test func pairedTransformMatchesTheDefinitionForBothFrames() {
        let size = 64
        let plan = FFTPlanner().plan(size: size)
        let (x, y) = (Self.noise(size, seed: 1), Self.noise(size, seed: 2))
        let pair = alignedPairs(size)
        let scratch = alignedPairs(size)
        defer {
            pair.deallocate()
            scratch.deallocate()
        }
        for index in 0..<size {
            pair.values[2 * index] = x[index]
            pair.values[2 * index + 1] = y[index]
        }
        var first = [Float](repeating: 0, count: size / 2 + 1)
        var second = first
        first.withUnsafeMutableBufferPointer { first in
            second.withUnsafeMutableBufferPointer { second in
                plan.magnitudes(of: pair.complex, scratch: scratch.complex, into: first.baseAddress!, second.baseAddress!)
            }
        }
        for (measured, reference) in [(first, Self.referenceMagnitudes(x)), (second, Self.referenceMagnitudes(y))] {
            for (bin, (value, expected)) in zip(measured, reference).enumerated() {
                #expect(abs(Double(value) - expected) <= 1e-4 * max(1, expected), "bin \(bin): \(value) against \(expected)")
            }
        }
    }

    @Test func aStreamCutIntoPiecesGivesTheFramesOfTheWhole() {
        let signal = Self.noise(10_000, seed: 3)
        func frames(pieces: [Int]) -> [[Float]] {
            let spectrogram = Spectrogram(sampleRate: 22_050, frameSize: 1_024, hopSize: 256, planner: FFTPlanner())
            var frames: [[Float]] = []
            signal.withUnsafeBufferPointer { samples in
                var start = 0
                for length in pieces {
                    let end = min(samples.count, start + length)
                    spectrogram.feed(UnsafeBufferPointer(rebasing: samples[start..<end])) { frames.append(Array($0)) }
                    start = end
                }
                spectrogram.feed(UnsafeBufferPointer(rebasing: samples[start...])) { frames.append(Array($0)) }
            }
            spectrogram.finish { frames.append(Array($0)) }
            return frames
        }
        let whole = frames(pieces: [])
        #expect(whole.count == (signal.count + 255) / 256)
        #expect(frames(pieces: [1, 1_023, 7, 300, 2_000, 13]) == whole)
        #expect(frames(pieces: Array(repeating: 441, count: 22)) == whole)
        // The last frame is zero-padded: only its first 16 samples are signal.
        let tail = Array(signal[(signal.count - 16)...]) + [Float](repeating: 0, count: 1_008)
        let window = FFTPlanner().plan(size: 1_024).hannWindow
        let reference = Self.referenceMagnitudes(zip(tail, window).map { $0 * $1 })
        for (value, expected) in zip(whole.last!, reference) {
            #expect(abs(Double(value) - expected) <= 1e-4 * max(1, expected))
        }
    }

    @Test func fastLogarithmAndSquareRootAreAccurate() {
        var worstLog = 0.0
        var worstRoot = 0.0
        var x: Float = 1e-12
        while x < 1e12 {
            // Absolute near 1, relative to the result elsewhere (a Float holds 7 digits of it).
            let exact = Foundation.log(Double(x))
            worstLog = max(worstLog, abs(Double(VectorMath.log(x)) - exact) / max(1, abs(exact)))
            worstRoot = max(worstRoot, abs(Double(VectorMath.squareRoot(x)) / Double(x).squareRoot() - 1))
            x *= 1.001_37
        }
        #expect(worstLog < 3e-7, "largest error of log: \(worstLog)")
        #expect(worstRoot < 1e-6, "largest relative error of the square root: \(worstRoot)")
        #expect(VectorMath.squareRoot(0) == 0)
        #expect(VectorMath.squareRoot(.infinity) == .infinity)
    }

    @Test func waveformPeaksFindEverySpikeInItsSlice() {
        for count in [50, 6_399, 100_000, 123_457] {
            var samples = [Float](repeating: 0.01, count: count)
            // A spike of a different height in every tenth slice, at a slice's last sample.
            for bucket in stride(from: 0, to: 100, by: 10) {
                let last = max(count * bucket / 100, count * (bucket + 1) / 100 - 1)
                samples[min(last, count - 1)] = -Float(bucket + 5) / 200
            }
            let peaks = WaveformPeaks.peaks(samples)
            #expect(peaks.count == 100)
            for bucket in stride(from: 0, to: 100, by: 10) where count >= 6_400 {
                #expect(peaks[bucket] == (Double(bucket + 5) / 200 * 1000).rounded() / 1000, "\(count) samples, slice \(bucket)")
            }
            #expect(peaks.allSatisfy { $0 <= 0.475 })
            #expect(peaks.max() == 0.475)
        }
        #expect(WaveformPeaks.peaks([]) == [])
    }
}

/// FFTW-aligned storage for `size` complex values, seen as floats or as FFTW's complex type.
private struct AlignedPairs {
    let complex: UnsafeMutablePointer<fftwf_complex>
    var values: UnsafeMutablePointer<Float> { UnsafeMutableRawPointer(complex).assumingMemoryBound(to: Float.self) }
    func deallocate() { fftwf_free(complex) }
}

private func alignedPairs(_ size: Int) -> AlignedPairs {
    AlignedPairs(complex: fftwf_alloc_complex(size)!)
}
