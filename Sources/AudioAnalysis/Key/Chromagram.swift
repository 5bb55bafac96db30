import Foundation

/// A pitch-class profile of a whole excerpt: how much of each of the 12 pitch classes sounds, after
/// correcting for the recording's tuning.
///
/// A harmonic pitch-class profile in the manner of Gómez ("Tonal description of music audio signals",
/// PhD thesis, UPF 2006): spectral peaks between 55 Hz and 5 kHz, located by parabolic interpolation,
/// each spread to its nearest pitch class with a cosine-squared window one semitone wide and, weighted
/// down per harmonic, to the pitch classes it would be the 2nd to 4th harmonic of. Each frame is
/// normalised to a maximum of one so loud passages do not outvote the rest.
struct Chromagram {
    static let lowestHz = 55.0
    static let highestHz = 5_000.0
    /// Weight of harmonic h is `harmonicDecay^(h-1)`.
    static let harmonicDecay = 0.6
    static let harmonics = 4

    /// 12 values, C first, maximum 1 (all zeros for silence).
    let profile: [Double]
    /// Deviation of the recording's tuning from A4 = 440 Hz, in cents (-50..<50).
    let tuningCents: Double

    init(samples: [Float], spectrogram: Spectrogram) {
        let peaks = Self.peaks(samples, spectrogram)
        tuningCents = Self.tuning(peaks)
        let reference = 440 * pow(2, tuningCents / 1200)
        // Per harmonic h: the pitch offset 12·log2(h) and the weight decay^(h-1), computed once.
        let harmonicOffsets = (1...Self.harmonics).map { 12 * log2(Double($0)) }
        let harmonicWeights = (1...Self.harmonics).map { pow(Self.harmonicDecay, Double($0 - 1)) }
        var total = [Double](repeating: 0, count: 12)
        for framePeaks in peaks where !framePeaks.isEmpty {
            var frame = [Double](repeating: 0, count: 12)
            for peak in framePeaks {
                let peakPitch = 12 * log2(peak.frequency / reference) + 69
                for harmonic in 0..<Self.harmonics {
                    guard peak.frequency / Double(harmonic + 1) >= Self.lowestHz else { break }
                    let pitch = peakPitch - harmonicOffsets[harmonic]
                    let nearest = pitch.rounded()
                    let distance = pitch - nearest
                    let window = cos(Double.pi * distance)
                    let weight = window * window * harmonicWeights[harmonic]
                    let pitchClass = ((Int(nearest) % 12) + 12) % 12
                    frame[pitchClass] += weight * peak.magnitude
                }
            }
            let maximum = frame.max() ?? 0
            guard maximum > 0 else { continue }
            for index in 0..<12 { total[index] += frame[index] / maximum }
        }
        let maximum = total.max() ?? 0
        profile = maximum > 0 ? total.map { $0 / maximum } : total
    }

    struct Peak {
        var frequency: Double
        var magnitude: Double
    }

    /// Local maxima of each frame within the pitch range, no more than 60 dB below the frame's
    /// strongest peak, with frequency and height from a parabola through the log magnitudes.
    private static func peaks(_ samples: [Float], _ spectrogram: Spectrogram) -> [[Peak]] {
        let binHz = spectrogram.binHz
        let low = max(2, Int(lowestHz / binHz))
        let high = min(spectrogram.bins - 2, Int(highestHz / binHz))
        guard low < high else { return [] }
        var result: [[Peak]] = []
        result.reserveCapacity(spectrogram.frameCount(samples: samples.count))
        // Below this a frame is silence as far as pitch goes.
        let silence = 1e-4 * Float(spectrogram.frameSize) / 4
        spectrogram.forEachFrame(of: samples) { _, magnitudes in
            var strongest: Float = 0
            for bin in low...high { strongest = max(strongest, magnitudes[bin]) }
            guard strongest > silence else {
                result.append([])
                return
            }
            let floor = strongest * 1e-3
            var framePeaks: [Peak] = []
            for bin in low...high {
                let centre = magnitudes[bin]
                guard centre > floor, centre > magnitudes[bin - 1], centre >= magnitudes[bin + 1] else { continue }
                let left = log(Double(max(magnitudes[bin - 1], 1e-12)))
                let middle = log(Double(centre))
                let right = log(Double(max(magnitudes[bin + 1], 1e-12)))
                let curvature = left - 2 * middle + right
                let offset = curvature < 0 ? 0.5 * (left - right) / curvature : 0
                let height = middle - 0.25 * (left - right) * offset
                framePeaks.append(Peak(frequency: (Double(bin) + offset) * binHz, magnitude: exp(height)))
            }
            result.append(framePeaks)
        }
        return result
    }

    /// The tuning offset as the circular mean of every peak's deviation from the equal-tempered grid,
    /// weighted by magnitude: deviations of -50 and +49 cents are neighbours, not opposites.
    private static func tuning(_ frames: [[Peak]]) -> Double {
        var sine = 0.0
        var cosine = 0.0
        // Frame by frame: a flattened copy of every peak would cost megabytes on a long file.
        for peak in frames.joined() {
            let cents = 1200 * log2(peak.frequency / 440)
            let angle = 2 * Double.pi * cents / 100
            sine += peak.magnitude * sin(angle)
            cosine += peak.magnitude * cos(angle)
        }
        guard sine != 0 || cosine != 0 else { return 0 }
        return atan2(sine, cosine) * 100 / (2 * Double.pi)
    }
}
