/// Where a decode puts its output, piece by piece as it is decoded, so that nothing has to hold the
/// whole signal: `AudioMeasurements` analyses it on the way, `AudioDecoder.decode(path:)` keeps it.
public protocol DecodedAudioSink: AnyObject {
    /// The next `interleaved.count / channels` frames, `channels` (1 or 2, the same for the whole
    /// stream) interleaved, at the decoder's sample rate. Valid only during the call.
    func consume(_ interleaved: UnsafeBufferPointer<Float>, channels: Int)
}

/// What a decode tells besides the samples it gave its sink.
public struct DecodedStream: Sendable {
    /// Samples per second of what the sink received.
    public var sampleRate: Int
    /// The whole track's duration in seconds as the container states it, or the decoded length when
    /// the container does not say.
    public var durationSeconds: Double
    /// True when decoding stopped at `DecodingLimits.maxSeconds` before the end.
    public var truncated: Bool
    /// The container's descriptive tags.
    public var metadata: AudioMetadata
}

/// A sink that drops what it is given: decoding alone, to measure what decoding costs.
public final class DiscardingSink: DecodedAudioSink {
    public init() {}
    public func consume(_ interleaved: UnsafeBufferPointer<Float>, channels: Int) {}
}

/// Keeps the mean of the channels, with their loudness.
final class SampleCollector: DecodedAudioSink {
    private(set) var mono: [Float] = []
    private var downmix: MeteredDownmix

    init(sampleRate: Int) {
        downmix = MeteredDownmix(sampleRate: sampleRate)
    }

    func consume(_ interleaved: UnsafeBufferPointer<Float>, channels: Int) {
        downmix.add(interleaved, channels: channels, to: &mono)
    }

    /// The collected audio, described by `stream`.
    func audio(_ stream: DecodedStream) -> DecodedAudio {
        DecodedAudio(
            sampleRate: stream.sampleRate, mono: mono, loudnessLUFS: downmix.loudnessLUFS,
            durationSeconds: stream.durationSeconds, truncated: stream.truncated, metadata: stream.metadata)
    }
}

/// What every sink that keeps or measures audio does with the decoded channels: measures their loudness
/// (EBU R128 sums the channels' power, which a downmix would change), then averages them to mono.
struct MeteredDownmix {
    private let sampleRate: Int
    private var meter: LoudnessMeter?

    init(sampleRate: Int) {
        self.sampleRate = sampleRate
    }

    /// Integrated loudness of everything added, in LUFS (`LoudnessMeter.floor` for nothing).
    var loudnessLUFS: Double { meter?.integratedLoudness ?? LoudnessMeter.floor }

    /// Measures `interleaved` (frames of `channels` samples) and appends the mean of each frame to `mono`.
    mutating func add(_ interleaved: UnsafeBufferPointer<Float>, channels: Int, to mono: inout [Float]) {
        if meter == nil { meter = LoudnessMeter(sampleRate: sampleRate, channels: channels) }
        meter!.add(interleaved)
        Self.appendMean(of: interleaved, channels: channels, to: &mono)
    }

    private static func appendMean(of interleaved: UnsafeBufferPointer<Float>, channels: Int, to mono: inout [Float]) {
        if channels == 1 {
            mono.append(contentsOf: interleaved)
            return
        }
        let frames = interleaved.count / channels
        let scale = 1 / Float(channels)
        let start = mono.count
        mono.append(contentsOf: repeatElement(0, count: frames))
        mono.withUnsafeMutableBufferPointer { output in
            if channels == 2 {
                let input = interleaved.baseAddress!
                let output = output.baseAddress! + start
                for frame in 0..<frames { output[frame] = (input[2 * frame] + input[2 * frame + 1]) * scale }
                return
            }
            for frame in 0..<frames {
                var sum: Float = 0
                for channel in 0..<channels { sum += interleaved[frame * channels + channel] }
                output[start + frame] = sum * scale
            }
        }
    }
}
