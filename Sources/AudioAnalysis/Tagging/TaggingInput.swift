import AudioTagging
import CFFmpeg

/// What the tagger needs of a track, gathered as it is decoded: the mono signal resampled from the
/// analysis rate to the networks' 16 kHz (at most `DecodingLimits.maxSeconds` of it: 7.7 MB for two
/// minutes), and, at the end, the log-mel patches to tag.
final class TaggingInput {
    private var resampler: OpaquePointer?
    private var samples: [Float] = []
    private var scratch: [Float] = []
    private var flushed = false

    /// Nil when FFmpeg's resampler cannot be made for `sampleRate` (then the track goes untagged).
    init?(sampleRate: Int) {
        guard sampleRate != AudioTagger.sampleRate else { return }
        var outLayout = AVChannelLayout()
        av_channel_layout_default(&outLayout, 1)
        var inLayout = outLayout
        guard
            swr_alloc_set_opts2(
                &resampler, &outLayout, AV_SAMPLE_FMT_FLT, Int32(AudioTagger.sampleRate), &inLayout, AV_SAMPLE_FMT_FLT,
                Int32(sampleRate), 0, nil) >= 0,
            swr_init(resampler) >= 0
        else {
            swr_free(&resampler)
            return nil
        }
    }

    deinit { swr_free(&resampler) }

    /// The next mono samples at the analysis rate.
    func add(_ mono: UnsafeBufferPointer<Float>) {
        guard let resampler else {
            samples.append(contentsOf: mono)
            return
        }
        guard !mono.isEmpty else { return }
        convert(capacity: Int(swr_get_out_samples(resampler, Int32(mono.count)))) { output, capacity in
            var input: UnsafePointer<UInt8>? = UnsafeRawPointer(mono.baseAddress!).assumingMemoryBound(to: UInt8.self)
            return swr_convert(resampler, output, capacity, &input, Int32(mono.count))
        }
    }

    /// The signal at 16 kHz, the resampler's delay flushed.
    func signal() -> [Float] {
        if let resampler, !flushed {
            flushed = true
            convert(capacity: Int(swr_get_out_samples(resampler, 0))) { output, capacity in
                swr_convert(resampler, output, capacity, nil, 0)
            }
        }
        return samples
    }

    /// The log-mel patches to tag (`AudioTagger.patchStarts`), none for an empty signal.
    func patches(spectrogram: LogMelSpectrogram, maxPatches: Int = AudioTagger.maxPatches) -> [[Float]] {
        let signal = signal()
        guard !signal.isEmpty else { return [] }
        let total = LogMelSpectrogram.frames(samples: signal.count)
        return AudioTagger.patchStarts(totalFrames: total, maxPatches: maxPatches).map {
            spectrogram.frames(of: signal, first: $0, count: MusicnnModel.frames)
        }
    }

    private func convert(capacity: Int, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, Int32) -> Int32) {
        guard capacity > 0 else { return }
        if scratch.count < capacity { scratch = [Float](repeating: 0, count: capacity) }
        let written = scratch.withUnsafeMutableBufferPointer { buffer in
            var plane: UnsafeMutablePointer<UInt8>? = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self)
            return body(&plane, Int32(capacity))
        }
        if written > 0 { samples.append(contentsOf: scratch[0..<Int(written)]) }
    }
}
