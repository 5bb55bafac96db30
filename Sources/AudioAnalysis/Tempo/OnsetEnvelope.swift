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

    private init(values: [Float], framesPerSecond: Double, meanCentroidHz: Double) {
        self.values = values
        self.framesPerSecond = framesPerSecond
        self.meanCentroidHz = meanCentroidHz
    }

    /// Builds the envelope frame by frame from a spectrogram's magnitudes, as they are computed.
    struct Builder {
        private let framesPerSecond: Double
        private let binHz: Double
        private let edges: [Int]
        /// Log compression with a fixed gain so quiet passages still produce onsets.
        private let gain: Float
        /// 0, 1, 2, … as floats: the weights of the spectral centroid.
        private let binNumbers: [Float]
        /// Each band's flux, one value per frame so far.
        private var bandFlux: [[Float]]
        private var previous: [Float]
        private var current: [Float]
        private var frames = 0
        private var centroidSum = 0.0
        private var magnitudeSum = 0.0

        init(spectrogram: Spectrogram) {
            framesPerSecond = spectrogram.framesPerSecond
            binHz = spectrogram.binHz
            let bins = spectrogram.bins
            edges = OnsetEnvelope.bandEdges.map { min(bins, max(1, Int(($0 / spectrogram.binHz).rounded()))) }
            gain = Float(1_000) / Float(spectrogram.frameSize)
            binNumbers = (0..<bins).map(Float.init)
            bandFlux = [[Float]](repeating: [], count: edges.count - 1)
            previous = [Float](repeating: 0, count: bins)
            current = previous
        }

        /// Takes the next frame's magnitudes.
        mutating func add(_ magnitudes: UnsafeBufferPointer<Float>) {
            let gain = gain
            let edges = edges
            let isFirst = frames == 0
            let magnitude = magnitudes.baseAddress!
            let count = min(magnitudes.count, current.count)
            binNumbers.withUnsafeBufferPointer { binNumbers in
                centroidSum += Double(VectorMath.dot(binNumbers.baseAddress!, magnitude, count: count)) * binHz
            }
            magnitudeSum += Double(VectorMath.sum(magnitude, 0..<count))
            current.withUnsafeMutableBufferPointer { current in
                VectorMath.logs(of: magnitude, scale: gain, offset: 1, into: current.baseAddress!, count: count)
                previous.withUnsafeMutableBufferPointer { previous in
                    // The rise of each bin, kept in `previous`, which this frame's values replace next.
                    for bin in 0..<count {
                        let rise = current[bin] - previous[bin]
                        previous[bin] = rise > 0 ? rise : 0
                    }
                    for band in 0..<(edges.count - 1) {
                        bandFlux[band].append(
                            isFirst ? 0 : VectorMath.sum(UnsafePointer(previous.baseAddress!), edges[band]..<edges[band + 1]))
                    }
                }
            }
            swap(&previous, &current)
            frames += 1
        }

        /// The envelope of every frame added.
        func envelope() -> OnsetEnvelope {
            var sum = [Float](repeating: 0, count: frames)
            for band in bandFlux {
                let filtered = OnsetEnvelope.subtractLocalMean(band, radius: Int(framesPerSecond * 0.25))
                let deviation = OnsetEnvelope.standardDeviation(filtered)
                guard deviation > 1e-6 else { continue }
                for index in 0..<frames { sum[index] += filtered[index] / deviation }
            }
            return OnsetEnvelope(
                values: sum, framesPerSecond: framesPerSecond,
                meanCentroidHz: magnitudeSum > 0 ? centroidSum / magnitudeSum : 0)
        }
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
