/// Energy in 0…1: how driving a track feels, from three measurements a listener hears.
///
///     energy = 0.5 · loudness + 0.25 · brightness + 0.25 · density
///
/// - loudness: integrated LUFS mapped linearly from -35 LUFS (0) to -5 LUFS (1);
/// - brightness: the mean spectral centroid mapped from 500 Hz (0) to 3.5 kHz (1);
/// - density: onsets per second (peaks of the onset envelope above its mean plus one standard
///   deviation) mapped from 0 to 8 per second.
///
/// Each term is clamped to 0…1. Loud, bright, busy tracks (peak-time techno) come out near 1; quiet,
/// dark, sparse ones (ambient) near 0.
struct EnergyEstimator {
    func energy(loudness: Double, onsets: OnsetEnvelope) -> Double {
        let loudnessTerm = clamp((loudness + 35) / 30)
        let brightness = clamp((onsets.meanCentroidHz - 500) / 3_000)
        let seconds = Double(onsets.values.count) / onsets.framesPerSecond
        let density = seconds > 0 ? clamp(Double(Self.onsetCount(onsets.values)) / seconds / 8) : 0
        return ((0.5 * loudnessTerm + 0.25 * brightness + 0.25 * density) * 1000).rounded() / 1000
    }

    private func clamp(_ value: Double) -> Double { min(1, max(0, value)) }

    static func onsetCount(_ values: [Float]) -> Int {
        guard values.count > 2 else { return 0 }
        let threshold = values.reduce(0, +) / Float(values.count) + OnsetEnvelope.standardDeviation(values)
        var count = 0
        for index in 1..<(values.count - 1)
        where values[index] > threshold && values[index] >= values[index - 1] && values[index] > values[index + 1] {
            count += 1
        }
        return count
    }
}
