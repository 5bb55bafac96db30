import AudioTagging

/// Everything `AudioAnalyzer` measures, taken from the audio as it is decoded: the decoder hands it
/// samples (it is a `DecodedAudioSink`), and it measures them a block at a time, so a worker never holds
/// the decoded signal (two minutes of it would be 10.6 MB).
///
/// Per block: loudness on the channels as decoded, then, on their mean, the onset spectrogram, the pitch
/// spectrogram, the waveform and, with a tagger, the 16 kHz signal it hears. `analysis(of:)` finishes
/// them, estimates tempo, key and energy, and tags a few patches of the track.
/// One instance measures one input, on one thread.
public final class AudioMeasurements: DecodedAudioSink {
    /// Frames gathered before they are measured: large enough that the per-block costs (and the
    /// CPU-time reading behind `cpuMilliseconds`) vanish, small enough to stay in cache.
    static let blockFrames = 8_192

    private let tempo: TempoEstimator
    private let key: KeyEstimator
    private let onsetSpectrogram: Spectrogram
    private let pitchSpectrogram: Spectrogram
    private var onsets: OnsetEnvelope.Builder
    private var chroma: Chromagram.Builder
    private var waveform = WaveformPeaks()
    private var downmix: MeteredDownmix
    private let tagger: AudioTagger?
    private let tagging: TaggingInput?
    private let logMel: LogMelSpectrogram?
    /// Decoded frames waiting to be measured, interleaved, and the mean of their channels.
    private var block: [Float] = []
    private var blockChannels = 1
    private var mono: [Float] = []
    /// CPU time this thread has spent measuring, in milliseconds: the analysis' share of a decode.
    public private(set) var cpuMilliseconds = 0.0

    init(sampleRate: Int, tempo: TempoEstimator, key: KeyEstimator, tagger: AudioTagger?, planner: FFTPlanner) {
        downmix = MeteredDownmix(sampleRate: sampleRate)
        self.tagger = tagger
        tagging = tagger == nil ? nil : TaggingInput(sampleRate: sampleRate)
        logMel = tagger == nil ? nil : LogMelSpectrogram(planner: planner)
        self.tempo = tempo
        self.key = key
        onsetSpectrogram = Spectrogram(
            sampleRate: sampleRate, frameSize: AudioAnalyzer.onsetFrame, hopSize: AudioAnalyzer.onsetHop, planner: planner)
        pitchSpectrogram = Spectrogram(
            sampleRate: sampleRate, frameSize: AudioAnalyzer.pitchFrame, hopSize: AudioAnalyzer.pitchHop, planner: planner)
        onsets = OnsetEnvelope.Builder(spectrogram: onsetSpectrogram)
        chroma = Chromagram.Builder(spectrogram: pitchSpectrogram)
        block.reserveCapacity(2 * Self.blockFrames)
        mono.reserveCapacity(Self.blockFrames)
    }

    public func consume(_ interleaved: UnsafeBufferPointer<Float>, channels: Int) {
        blockChannels = channels
        block.append(contentsOf: interleaved)
        if block.count >= Self.blockFrames * channels { measureBlock() }
    }

    /// Finishes the measurements of a decode that has ended: the analysis of everything consumed.
    public func analysis(of stream: DecodedStream) -> Analysis {
        let (analysis, patches) = measures(of: stream)
        guard let patches else { return analysis }
        return tagged(analysis, patches: patches)
    }

    /// Finishes a decode that has ended without tagging it: the DSP measures (tempo, key, energy,
    /// loudness, waveform), and the log-mel patches the tagger is to hear (nil without a tagger or
    /// for a signal too short to hear). `tagged(_:patches:)` finishes the analysis later.
    public func measures(of stream: DecodedStream) -> (analysis: Analysis, patches: [[Float]]?) {
        measureBlock()
        return timed { measures(durationSeconds: stream.durationSeconds, loudnessLUFS: downmix.loudnessLUFS) }
    }

    /// Measures mono samples whose loudness is already known (a decode held in memory).
    func measure(mono samples: UnsafeBufferPointer<Float>) {
        timed { measureMono(samples) }
    }

    /// The analysis of everything measured, with the duration and loudness given.
    func analysis(durationSeconds: Double, loudnessLUFS loudness: Double) -> Analysis {
        let (analysis, patches) = measures(durationSeconds: durationSeconds, loudnessLUFS: loudness)
        guard let patches else { return analysis }
        return tagged(analysis, patches: patches)
    }

    /// `analysis` with what the tagger hears in `patches` (`measures(of:)`'s), its CPU time counted in
    /// `cpuMilliseconds` (the analysis', not the decode's).
    public func tagged(_ analysis: Analysis, patches: [[Float]]) -> Analysis {
        guard let tagger else { return analysis }
        return timed { Self.tagged(analysis, patches: patches, by: tagger) }
    }

    /// `analysis` with what `tagger` hears in `patches`.
    public static func tagged(_ analysis: Analysis, patches: [[Float]], by tagger: AudioTagger) -> Analysis {
        var analysis = analysis
        analysis.hear(tagger.hear(patches), labels: tagger.labels)
        return analysis
    }

    private func measures(durationSeconds: Double, loudnessLUFS loudness: Double) -> (analysis: Analysis, patches: [[Float]]?) {
        onsetSpectrogram.finish { onsets.add($0) }
        pitchSpectrogram.finish { chroma.add($0) }
        let onsetEnvelope = onsets.envelope()
        let tempoEstimate = tempo.estimate(onsetEnvelope)
        let keyEstimate = key.estimate(chroma.chromagram())
        let analysis = Analysis(
            durationSeconds: (durationSeconds * 1000).rounded() / 1000,
            bpm: tempoEstimate?.bpm,
            bpmConfidence: tempoEstimate?.confidence ?? 0,
            bpmAlternatives: tempoEstimate?.alternatives ?? [],
            key: keyEstimate.map { KeyDescription($0.key, confidence: $0.confidence) },
            energy: EnergyEstimator().energy(loudness: loudness, onsets: onsetEnvelope),
            loudnessLufs: (loudness * 10).rounded() / 10,
            waveform: waveform.peaks())
        guard let tagging, let logMel else { return (analysis, nil) }
        let patches = tagging.patches(spectrogram: logMel)
        return (analysis, patches.isEmpty ? nil : patches)
    }

    private func measureBlock() {
        guard !block.isEmpty else { return }
        timed {
            mono.removeAll(keepingCapacity: true)
            block.withUnsafeBufferPointer { downmix.add($0, channels: blockChannels, to: &mono) }
            block.removeAll(keepingCapacity: true)
            mono.withUnsafeBufferPointer { measureMono($0) }
        }
    }

    private func measureMono(_ samples: UnsafeBufferPointer<Float>) {
        onsetSpectrogram.feed(samples) { onsets.add($0) }
        pitchSpectrogram.feed(samples) { chroma.add($0) }
        waveform.add(samples)
        tagging?.add(samples)
    }

    private func timed<T>(_ body: () -> T) -> T {
        let start = ThreadClock.now()
        defer { cpuMilliseconds += ThreadClock.now() - start }
        return body()
    }
}
