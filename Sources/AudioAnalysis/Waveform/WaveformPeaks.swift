/// The peak absolute sample of each of a fixed number of equal slices: enough to draw a waveform.
enum WaveformPeaks {
    static let buckets = 100

    static func peaks(_ samples: [Float], buckets: Int = WaveformPeaks.buckets) -> [Double] {
        guard !samples.isEmpty else { return [] }
        return (0..<buckets).map { bucket in
            let start = samples.count * bucket / buckets
            let end = max(start + 1, samples.count * (bucket + 1) / buckets)
            var peak: Float = 0
            for index in start..<min(end, samples.count) { peak = max(peak, abs(samples[index])) }
            return (Double(min(peak, 1)) * 1000).rounded() / 1000
        }
    }
}
