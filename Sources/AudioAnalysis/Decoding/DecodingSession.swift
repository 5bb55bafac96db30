import CFFmpeg

/// One decode: the demuxer, the decoder and the resampler for one input, freed together. The output
/// goes to a sink as it is decoded: interleaved float at the output rate, at most two channels.
final class DecodingSession {
    /// Header values beyond these are treated as hostile rather than allocated for.
    private static let maxChannels: Int32 = 64
    private static let sampleRates: ClosedRange<Int32> = 1_000...768_000
    private static let ioBufferSize: Int32 = 32 * 1024

    private let source: InputSource
    private let outputRate: Int
    private let sink: any DecodedAudioSink
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var resampler: OpaquePointer?
    private var streamIndex: Int32 = -1
    private var outputChannels: Int32 = 1
    private var resamplerInput: (rate: Int32, format: Int32, layout: AVChannelLayout)?
    /// Frames given to the sink so far, and the most it takes.
    private var delivered = 0
    private var wanted = 0
    private var scratch: [Float] = []

    init(source: InputSource, outputRate: Int, sink: any DecodedAudioSink) throws(DecodingError) {
        self.source = source
        self.outputRate = outputRate
        self.sink = sink
        try openInput()
        try openDecoder()
    }

    deinit {
        swr_free(&resampler)
        avcodec_free_context(&codec)
        if let format {
            // With custom I/O the context is ours to free, buffer included.
            var io = format.pointee.pb
            if io != nil {
                av_freep(&io!.pointee.buffer)
                avio_context_free(&io)
            }
            var context: UnsafeMutablePointer<AVFormatContext>? = format
            avformat_close_input(&context)
        }
    }

    private func openInput() throws(DecodingError) {
        guard let context = avformat_alloc_context(), let buffer = av_malloc(Int(Self.ioBufferSize)) else {
            throw .corrupt("out of memory")
        }
        let opaque = Unmanaged.passUnretained(source).toOpaque()
        guard
            let io = avio_alloc_context(
                buffer.assumingMemoryBound(to: UInt8.self), Self.ioBufferSize, 0, opaque,
                { opaque, buffer, count in
                    guard let opaque, let buffer else { return mf_averror_exit() }
                    return Unmanaged<InputSource>.fromOpaque(opaque).takeUnretainedValue()
                        .read(into: buffer, count: Int(count))
                }, nil,
                { opaque, offset, whence in
                    guard let opaque else { return -1 }
                    return Unmanaged<InputSource>.fromOpaque(opaque).takeUnretainedValue()
                        .seek(offset: offset, whence: whence)
                })
        else {
            av_free(buffer)
            avformat_free_context(context)
            throw .corrupt("out of memory")
        }
        context.pointee.pb = io
        context.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        context.pointee.interrupt_callback = AVIOInterruptCB(
            callback: { opaque in
                guard let opaque else { return 1 }
                return Unmanaged<InputSource>.fromOpaque(opaque).takeUnretainedValue().isPastDeadline ? 1 : 0
            }, opaque: opaque)
        var opened: UnsafeMutablePointer<AVFormatContext>? = context
        if avformat_open_input(&opened, nil, nil, nil) < 0 {
            // avformat_open_input frees the context on failure, but not custom I/O.
            var ioContext: UnsafeMutablePointer<AVIOContext>? = io
            av_freep(&ioContext!.pointee.buffer)
            avio_context_free(&ioContext)
            throw .unrecognisedFormat
        }
        format = opened
        if avformat_find_stream_info(opened, nil) < 0 { throw .corrupt("the stream information could not be read") }
    }

    private func openDecoder() throws(DecodingError) {
        guard let format else { throw .unrecognisedFormat }
        var decoder: UnsafePointer<AVCodec>?
        streamIndex = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0)
        if streamIndex == AVERROR_DECODER_NOT_FOUND_CODE {
            let index = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)
            let id = index >= 0 ? format.pointee.streams[Int(index)]!.pointee.codecpar.pointee.codec_id : AV_CODEC_ID_NONE
            throw .unsupportedCodec(String(cString: avcodec_get_name(id)))
        }
        guard streamIndex >= 0, let decoder else { throw .noAudioStream }
        let parameters = format.pointee.streams[Int(streamIndex)]!.pointee.codecpar!
        let channels = parameters.pointee.ch_layout.nb_channels
        guard (1...Self.maxChannels).contains(channels) else { throw .invalidParameters("\(channels) channels") }
        guard Self.sampleRates.contains(parameters.pointee.sample_rate) else {
            throw .invalidParameters("a sample rate of \(parameters.pointee.sample_rate) Hz")
        }
        guard let context = avcodec_alloc_context3(decoder) else { throw .corrupt("out of memory") }
        codec = context
        guard avcodec_parameters_to_context(context, parameters) >= 0 else {
            throw .invalidParameters("the codec parameters")
        }
        // One thread: the pool runs one worker per core already.
        context.pointee.thread_count = 1
        guard avcodec_open2(context, decoder, nil) >= 0 else {
            throw .unsupportedCodec(String(cString: decoder.pointee.name))
        }
        outputChannels = min(2, channels)
    }

    /// Reads packets and decodes until the end, an error, or `maxSeconds` of output.
    func run(maxSeconds: Double) throws(DecodingError) -> DecodedStream {
        guard let format, let codec else { throw .unrecognisedFormat }
        wanted = Int(maxSeconds * Double(outputRate))
        var packet = av_packet_alloc()
        var frame = av_frame_alloc()
        defer {
            av_packet_free(&packet)
            av_frame_free(&frame)
        }
        guard let packet, let frame else { throw .corrupt("out of memory") }
        var damagedPackets = 0
        var truncated = false
        var readError: Int32 = 0

        func drainFrames() throws(DecodingError) -> Bool {
            while true {
                let status = avcodec_receive_frame(codec, frame)
                if status == mf_averror_eagain() || status == mf_averror_eof() { return true }
                if status < 0 {
                    damagedPackets += 1
                    return true
                }
                try convert(frame)
                av_frame_unref(frame)
                if delivered >= wanted { return false }
            }
        }

        reading: while true {
            if source.isPastDeadline { throw .timedOut(seconds: 0) }
            let status = av_read_frame(format, packet)
            if status < 0 {
                readError = status
                break
            }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            let sent = avcodec_send_packet(codec, packet)
            if sent < 0 && sent != mf_averror_eagain() {
                // A damaged packet: skip it as players do, but remember, in case nothing decodes.
                damagedPackets += 1
                continue
            }
            if try !drainFrames() {
                truncated = true
                break reading
            }
        }
        if !truncated {
            avcodec_send_packet(codec, nil)
            _ = try drainFrames()
            try flushResampler()
        }
        if source.exceededBytes || source.isPastDeadline { throw .timedOut(seconds: 0) }
        guard delivered > 0 else {
            if damagedPackets > 0 || (readError != mf_averror_eof() && readError < 0) {
                throw .corrupt("no audio could be decoded")
            }
            throw .corrupt("the stream holds no audio samples")
        }
        return finish(truncated: truncated, format: format)
    }

    private func finish(truncated: Bool, format: UnsafeMutablePointer<AVFormatContext>) -> DecodedStream {
        let decodedSeconds = Double(delivered) / Double(outputRate)
        var duration = decodedSeconds
        if truncated {
            let stream = format.pointee.streams[Int(streamIndex)]!.pointee
            if stream.duration > 0, stream.duration != mf_av_nopts_value() {
                duration = Double(stream.duration) * av_q2d(stream.time_base)
            } else if format.pointee.duration > 0, format.pointee.duration != mf_av_nopts_value() {
                duration = Double(format.pointee.duration) / Double(AV_TIME_BASE)
            }
            duration = max(duration, decodedSeconds)
        }
        return DecodedStream(
            sampleRate: outputRate, durationSeconds: duration, truncated: truncated,
            metadata: metadata(of: format))
    }

    /// Tags from the container, then from the audio stream (Ogg keeps its Vorbis comments there).
    /// FFmpeg matches keys without regard to case.
    private func metadata(of format: UnsafeMutablePointer<AVFormatContext>) -> AudioMetadata {
        let dictionaries = [format.pointee.metadata, format.pointee.streams[Int(streamIndex)]?.pointee.metadata]
        func tag(_ name: String) -> String? {
            for dictionary in dictionaries {
                guard let dictionary, let entry = av_dict_get(dictionary, name, nil, 0), let value = entry.pointee.value else { continue }
                let text = String(String(cString: value).drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
                if !text.isEmpty { return String(text.prefix(AudioMetadata.maxLength)) }
            }
            return nil
        }
        return AudioMetadata(title: tag("title"), artist: tag("artist"), album: tag("album"), genre: tag("genre"), comment: tag("comment"))
    }

    /// Resamples one decoded frame to interleaved float at the output rate, (re)configuring the
    /// resampler when the frame's format differs from the last one (streams may change mid-way).
    private func convert(_ frame: UnsafeMutablePointer<AVFrame>) throws(DecodingError) {
        let rate = frame.pointee.sample_rate
        let sampleFormat = frame.pointee.format
        let layout = frame.pointee.ch_layout
        guard Self.sampleRates.contains(rate), (1...Self.maxChannels).contains(layout.nb_channels) else {
            throw .invalidParameters("a frame of \(layout.nb_channels) channels at \(rate) Hz")
        }
        if resampler == nil
            || resamplerInput.map({ current in
                var currentLayout = current.layout
                var frameLayout = layout
                return current.rate != rate || current.format != sampleFormat
                    || av_channel_layout_compare(&currentLayout, &frameLayout) != 0
            }) == true
        {
            try flushResampler()
            swr_free(&resampler)
            var outLayout = AVChannelLayout()
            av_channel_layout_default(&outLayout, outputChannels)
            var inLayout = layout
            guard
                swr_alloc_set_opts2(
                    &resampler, &outLayout, AV_SAMPLE_FMT_FLT, Int32(outputRate), &inLayout,
                    AVSampleFormat(rawValue: sampleFormat), rate, 0, nil) >= 0,
                swr_init(resampler) >= 0
            else { throw .invalidParameters("a sample format the resampler does not take") }
            resamplerInput = (rate, sampleFormat, layout)
        }
        let capacity = Int(swr_get_out_samples(resampler, frame.pointee.nb_samples))
        guard capacity > 0 else { return }
        let input = UnsafeMutableRawPointer(frame.pointee.extended_data)?
            .assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
        try append(capacity: capacity) { buffer in
            swr_convert(resampler, buffer, Int32(capacity), input, frame.pointee.nb_samples)
        }
    }

    private func flushResampler() throws(DecodingError) {
        guard let resampler else { return }
        let capacity = Int(swr_get_out_samples(resampler, 0))
        guard capacity > 0 else { return }
        try append(capacity: capacity) { buffer in
            swr_convert(resampler, buffer, Int32(capacity), nil, 0)
        }
    }

    /// Lets `body` convert up to `capacity` frames into scratch space, then gives the sink what it
    /// wrote, up to the wanted length.
    private func append(
        capacity: Int, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>) -> Int32
    ) throws(DecodingError) {
        let channels = Int(outputChannels)
        if scratch.count < capacity * channels { scratch = [Float](repeating: 0, count: capacity * channels) }
        let written = scratch.withUnsafeMutableBufferPointer { samples in
            var plane: UnsafeMutablePointer<UInt8>? = UnsafeMutableRawPointer(samples.baseAddress!)
                .assumingMemoryBound(to: UInt8.self)
            return body(&plane)
        }
        guard written >= 0 else { throw .corrupt("the samples could not be converted") }
        let kept = min(Int(written), max(0, wanted - delivered))
        guard kept > 0 else { return }
        scratch.withUnsafeBufferPointer { samples in
            sink.consume(UnsafeBufferPointer(rebasing: samples[0..<(kept * channels)]), channels: channels)
        }
        delivered += kept
    }
}

/// `AVERROR_DECODER_NOT_FOUND`, which Swift does not import (a macro of a macro).
private let AVERROR_DECODER_NOT_FOUND_CODE: Int32 = -Int32(
    bitPattern: UInt32(0xF8) | UInt32(UInt8(ascii: "D")) << 8 | UInt32(UInt8(ascii: "E")) << 16
        | UInt32(UInt8(ascii: "C")) << 24)
