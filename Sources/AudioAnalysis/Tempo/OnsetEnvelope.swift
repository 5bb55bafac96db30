import Foundation

/// A multi-band onset-strength envelope: how much new energy starts in each frame.
///
/// Spectral flux of log-compressed magnitudes (Böck & Widmer, "Maximum filter vibrato suppression for
/// onset detection", DAFx 2013, without the maximum filter) taken separately in six bands, so that a
/// kick, a snare and a hi-hat each count even when one of them is much louder than the others
/// (Klapuri, "Sound onset detection by applying psychoacoustic knowledge", ICASSP 1999). Each band's
/// flux is normalised by its own spread before the bands are summed.
struct OnsetEnvelope {
    /// Band edges in Hz: sub and kick, bass and snare body, low mids, mids, presence, air.
    static let bandEdges: [Double] = [30, 150, 400, 1_000, 2_500, 6_000, 11_025]

    /// One value per spectrogram frame, ≥ 0.
    let values: [Float]
    let framesPerSecond: Double
    /// The magnitude-weighted mean frequency over the whole excerpt, in Hz (for energy).
    let meanCentroidHz: Double

    init(samples: [Float], spectrogram: Spectrogram) {
        framesPerSecond = spectrogram.framesPerSecond
        let frames = spectrogram.frameCount(samples: samples.count)
        let bins = spectrogram.bins
        let binHz = spectrogram.binHz
        let edges = Self.bandEdges.map { min(bins, max(1, Int(($0 / binHz).rounded()))) }
        let bandCount = edges.count - 1
        // Log compression with a fixed gain so quiet passages still produce onsets.
        let gain = Float(1_000) / Float(spectrogram.frameSize)
        var bandFlux = [[Float]](repeating: [Float](repeating: 0, count: frames), count: bandCount)
        var previous = [Float](repeating: 0, count: bins)
        var current = [Float](repeating: 0, count: bins)
        var centroidSum = 0.0
        var magnitudeSum = 0.0
        spectrogram.forEachFrame(of: samples) { frame, magnitudes in
            var weighted: Float = 0
            var total: Float = 0
            for bin in 0..<bins {
                let magnitude = magnitudes[bin]
                current[bin] = log1pf(gain * magnitude)
                weighted += Float(bin) * magnitude
                total += magnitude
            }
            centroidSum += Double(weighted) * binHz
            magnitudeSum += Double(total)
            if frame > 0 {
                for band in 0..<bandCount {
                    var flux: Float = 0
                    for bin in edges[band]..<edges[band + 1] {
                        let rise = current[bin] - previous[bin]
                        if rise > 0 { flux += rise }
                    }
                    bandFlux[band][frame] = flux
                }
            }
            swap(&previous, &current)
        }
        meanCentroidHz = magnitudeSum > 0 ? centroidSum / magnitudeSum : 0
        var sum = [Float](repeating: 0, count: frames)
        for band in bandFlux {
            let filtered = Self.subtractLocalMean(band, radius: Int(framesPerSecond * 0.25))
            let deviation = Self.standardDeviation(filtered)
            guard deviation > 1e-6 else { continue }
            for index in 0..<frames { sum[index] += filtered[index] / deviation }
        }
        values = sum
    }

    /// Removes slow changes (crescendos, sections) so only onsets remain, and keeps the positive part.
    private static func subtractLocalMean(_ values: [Float], radius: Int) -> [Float] {
        let count = values.count
        var prefix = [Double](repeating: 0, count: count + 1)
        for index in 0..<count { prefix[index + 1] = prefix[index] + Double(values[index]) }
        return (0..<count).map { index in
            let low = max(0, index - radius)
            let high = min(count, index + radius + 1)
            let mean = (prefix[high] - prefix[low]) / Double(high - low)
            return max(0, values[index] - Float(mean))
        }
    }

    static func standardDeviation(_ values: [Float]) -> Float {
        guard !values.isEmpty else { return 0 }
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)
        return variance.squareRoot()
    }
}
