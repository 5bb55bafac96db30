/// The peak absolute sample of each of a fixed number of equal slices: enough to draw a waveform.
///
/// Built as the samples stream past, before their number is known: the peak of every block of
/// `blockSize` samples is kept (a 120 s excerpt keeps about 41,000 of them), and each slice takes the
/// peak of the blocks it overlaps, so a slice edge is placed to within one block (3 ms).
struct WaveformPeaks {
    static let buckets = 100
    static let blockSize = 64

    private var blockPeaks: [Float] = []
    private var currentPeak: Float = 0
    private var count = 0

    /// Takes the next samples.
    mutating func add(_ samples: UnsafeBufferPointer<Float>) {
        var index = 0
        while index < samples.count {
            let take = min(Self.blockSize - count % Self.blockSize, samples.count - index)
            var peak = max(currentPeak, VectorMath.maximumMagnitude(samples.baseAddress!, index..<(index + take)))
            index += take
            count += take
            if count % Self.blockSize == 0 {
                blockPeaks.append(peak)
                peak = 0
            }
            currentPeak = peak
        }
    }

    /// The peaks of `buckets` equal slices of every sample added, each in 0…1 to three decimals; empty
    /// when nothing was added.
    func peaks(buckets: Int = WaveformPeaks.buckets) -> [Double] {
        guard count > 0 else { return [] }
        let blocks = count % Self.blockSize == 0 ? blockPeaks : blockPeaks + [currentPeak]
        return (0..<buckets).map { bucket in
            let start = count * bucket / buckets
            let end = max(start + 1, count * (bucket + 1) / buckets)
            let first = start / Self.blockSize
            let last = (min(end, count) - 1) / Self.blockSize
            let peak = blocks[first...last].max() ?? 0
            return (Double(min(peak, 1)) * 1000).rounded() / 1000
        }
    }

    /// The peaks of a whole signal held in memory.
    static func peaks(_ samples: [Float], buckets: Int = WaveformPeaks.buckets) -> [Double] {
        var waveform = WaveformPeaks()
        samples.withUnsafeBufferPointer { waveform.add($0) }
        return waveform.peaks(buckets: buckets)
    }
}
