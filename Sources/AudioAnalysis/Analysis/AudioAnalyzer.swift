/// Decodes and measures one input: tempo, key, energy, loudness, duration and waveform.
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
    private let planner: FFTPlanner

    public init(
        decoder: AudioDecoder = AudioDecoder(), tempo: TempoEstimator = TempoEstimator(),
        key: KeyEstimator = KeyEstimator(), planner: FFTPlanner = FFTPlanner()
    ) {
        self.decoder = decoder
        self.tempo = tempo
        self.key = key
        self.planner = planner
    }

    /// Decodes and analyses the file at `path`.
    public func analyze(path: String) throws(DecodingError) -> Analysis {
        try analyze(decoder.decode(path: path))
    }

    /// Decodes and analyses an encoded file held in memory.
    public func analyze(bytes: [UInt8]) throws(DecodingError) -> Analysis {
        try analyze(decoder.decode(bytes: bytes))
    }

    /// Measures decoded audio.
    public func analyze(_ audio: DecodedAudio) -> Analysis {
        let rate = audio.sampleRate
        let onsets = OnsetEnvelope(
            samples: audio.mono,
            spectrogram: Spectrogram(sampleRate: rate, frameSize: Self.onsetFrame, hopSize: Self.onsetHop, planner: planner))
        let tempoEstimate = tempo.estimate(onsets)
        let chroma = Chromagram(
            samples: audio.mono,
            spectrogram: Spectrogram(sampleRate: rate, frameSize: Self.pitchFrame, hopSize: Self.pitchHop, planner: planner))
        let keyEstimate = key.estimate(chroma)
        let loudness = audio.loudnessLUFS
        let energy = EnergyEstimator().energy(loudness: loudness, onsets: onsets)
        return Analysis(
            durationSeconds: (audio.durationSeconds * 1000).rounded() / 1000,
            bpm: tempoEstimate?.bpm,
            bpmConfidence: tempoEstimate?.confidence ?? 0,
            bpmAlternatives: tempoEstimate?.alternatives ?? [],
            key: keyEstimate.map { KeyDescription($0.key, confidence: $0.confidence) },
            energy: energy,
            loudnessLufs: (loudness * 10).rounded() / 10,
            waveform: WaveformPeaks.peaks(audio.mono))
    }
}
