import AudioTagging

/// Decodes and measures one input: tempo, key, energy, loudness, duration and waveform, and, with a
/// tagger, what it sounds like (`Analysis.tags`, `Analysis.sound`).
///
/// Blocking and CPU-bound: run it in a worker process (the server never does) or on a thread of its own.
public struct AudioAnalyzer: Sendable {
    /// STFT for onsets: 1024 points (46 ms) every 256 samples (11.6 ms) at 22,050 Hz.
    static let onsetFrame = 1_024
    static let onsetHop = 256
    /// STFT for pitch: 4096 points (186 ms, 5.4 Hz bins) every 2048 samples.
    static let pitchFrame = 4_096
    static let pitchHop = 2_048

    public var decoder: AudioDecoder
    public var tempo: TempoEstimator
    public var key: KeyEstimator
    /// Nil: no tags (`Analysis.tags` and `sound` are null).
    public var tagger: AudioTagger?
    private let planner: FFTPlanner

    public init(
        decoder: AudioDecoder = AudioDecoder(), tempo: TempoEstimator = TempoEstimator(),
        key: KeyEstimator = KeyEstimator(), tagger: AudioTagger? = nil, planner: FFTPlanner = FFTPlanner()
    ) {
        self.decoder = decoder
        self.tempo = tempo
        self.key = key
        self.tagger = tagger
        self.planner = planner
    }

    /// Makes the FFT plans now rather than in the first analysis (a worker does this before it says it
    /// is ready, so no job's time includes it).
    public func prepare() {
        _ = planner.plan(size: Self.onsetFrame)
        _ = planner.plan(size: Self.pitchFrame)
        if tagger != nil { _ = planner.plan(size: AudioTagger.frameSize) }
    }

    /// Fresh measurements for one input at the decoder's rate: give them to `decoder` as its sink,
    /// then ask them for the analysis.
    public func measurements() -> AudioMeasurements {
        measurements(sampleRate: decoder.sampleRate)
    }

    /// Decodes and analyses the file at `path`, measuring as it decodes.
    public func analyze(path: String) throws(DecodingError) -> Analysis {
        let measurements = measurements()
        return measurements.analysis(of: try decoder.decode(path: path, into: measurements))
    }

    /// Decodes and analyses an encoded file held in memory, measuring as it decodes.
    public func analyze(bytes: [UInt8]) throws(DecodingError) -> Analysis {
        let measurements = measurements()
        return measurements.analysis(of: try decoder.decode(bytes: bytes, into: measurements))
    }

    /// Measures audio decoded into memory, a block at a time as a decode would give it.
    public func analyze(_ audio: DecodedAudio) -> Analysis {
        let measurements = measurements(sampleRate: audio.sampleRate)
        audio.mono.withUnsafeBufferPointer { samples in
            var start = 0
            while start < samples.count {
                let end = min(samples.count, start + AudioMeasurements.blockFrames)
                measurements.measure(mono: UnsafeBufferPointer(rebasing: samples[start..<end]))
                start = end
            }
        }
        return measurements.analysis(durationSeconds: audio.durationSeconds, loudnessLUFS: audio.loudnessLUFS)
    }

    private func measurements(sampleRate: Int) -> AudioMeasurements {
        AudioMeasurements(sampleRate: sampleRate, tempo: tempo, key: key, tagger: tagger, planner: planner)
    }
}
