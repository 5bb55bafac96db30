import Foundation

/// One musicnn network (Pons and Serra, 2019): a musically motivated front end of vertical (timbral)
/// and horizontal (temporal) filters, a mid end of three residual 1-D convolutions, and a back end of
/// temporal max and mean pooling, two dense layers and a sigmoid per tag.
///
/// Input: a patch of `MusicnnModel.frames` log-mel frames of `bands` values, time-major. Output: the
/// probability of each of the model's tags. The layer names are those of the TensorFlow graph the
/// weights come from (`conv2d`, `conv2d_1`, …, `batch_normalization_10`), in the order it made them.
public struct MusicnnModel: Sendable {
    /// Frames (3 s at 16 kHz with a hop of 256) and mel bands of one patch.
    public static let frames = 187
    public static let bands = 96
    /// Frames of patch a front-end block convolves at once: bounds the scratch memory.
    static let chunkFrames = 32

    public let name: String
    public let labels: [String]
    private let input: BatchNorm
    private let timbral: [(kernel: ConvolutionKernel, norm: BatchNorm)]
    private let temporal: [(kernel: ConvolutionKernel, norm: BatchNorm)]
    private let middle: [(kernel: ConvolutionKernel, norm: BatchNorm)]
    private let pooledNorm: BatchNorm
    private let penultimate: DenseLayer
    private let penultimateNorm: BatchNorm
    private let output: DenseLayer

    /// Channels out of the front end (204 + 204 + 3 × 51) and of each mid-end layer.
    static let frontChannels = 561
    static let middleChannels = 64
    static let features = frontChannels + 3 * middleChannels

    public init(weights: TaggingWeights, name: String) throws(TaggingWeightsError) {
        guard let labels = weights.labels[name] else { throw .corrupt(path: TaggingWeights.fileName, reason: "it has no model \(name)") }
        self.name = name
        self.labels = labels
        func norm(_ index: Int, _ channels: Int) throws(TaggingWeightsError) -> BatchNorm {
            try BatchNorm(weights, name + (index == 0 ? "/batch_normalization" : "/batch_normalization_\(index)"), channels: channels)
        }
        func conv(_ index: Int, _ height: Int, _ width: Int, _ outputs: Int) throws(TaggingWeightsError) -> ConvolutionKernel {
            try ConvolutionKernel(weights, name + (index == 0 ? "/conv2d" : "/conv2d_\(index)"), height: height, width: width, outputs: outputs)
        }
        let bands = Self.bands
        input = try norm(0, 1)
        // 0.4 and 0.7 of the bands wide, 7 frames high; 204 filters each (1.6 × 128).
        timbral = [
            (try conv(0, 7, Int(0.4 * Double(bands)), 204), try norm(1, 204)),
            (try conv(1, 7, Int(0.7 * Double(bands)), 204), try norm(2, 204)),
        ]
        // 128, 64 and 32 frames long, one band wide; 51 filters each (1.6 × 32).
        temporal = [
            (try conv(2, 128, 1, 51), try norm(3, 51)),
            (try conv(3, 64, 1, 51), try norm(4, 51)),
            (try conv(4, 32, 1, 51), try norm(5, 51)),
        ]
        middle = [
            (try conv(5, 7, Self.frontChannels, Self.middleChannels), try norm(6, Self.middleChannels)),
            (try conv(6, 7, Self.middleChannels, Self.middleChannels), try norm(7, Self.middleChannels)),
            (try conv(7, 7, Self.middleChannels, Self.middleChannels), try norm(8, Self.middleChannels)),
        ]
        pooledNorm = try norm(9, 2 * Self.features)
        penultimate = try DenseLayer(weights, name + "/dense", inputs: 2 * Self.features, outputs: 200)
        penultimateNorm = try norm(10, 200)
        output = try DenseLayer(weights, name + "/dense_1", inputs: 200, outputs: labels.count)
        guard labels.count == output.outputs else { throw .corrupt(path: TaggingWeights.fileName, reason: "\(name)'s labels") }
    }

    /// The tag probabilities of one patch (`frames × bands` values, time-major).
    public func probabilities(_ patch: UnsafeBufferPointer<Float>) -> [Float] {
        precondition(patch.count == Self.frames * Self.bands, "a patch is \(Self.frames) × \(Self.bands)")
        let frames = Self.frames
        let bands = Self.bands
        // The normalised input with three zero frames either side (the timbral blocks' time padding).
        var padded = [Float](repeating: 0, count: (frames + 6) * bands)
        let scale = input.scale[0]
        let offset = input.offset[0]
        for index in 0..<(frames * bands) { padded[3 * bands + index] = patch[index] * scale + offset }

        var front = [Float](repeating: 0, count: frames * Self.frontChannels)
        padded.withUnsafeBufferPointer { padded in
            front.withUnsafeMutableBufferPointer { front in
                var column = 0
                for block in timbral {
                    timbralBlock(block.kernel, block.norm, padded.baseAddress!, into: front.baseAddress! + column)
                    column += block.kernel.outputs
                }
                let normalised = UnsafeBufferPointer(rebasing: padded[(3 * bands)..<((3 + frames) * bands)])
                for block in temporal {
                    temporalBlock(block.kernel, block.norm, normalised, into: front.baseAddress! + column)
                    column += block.kernel.outputs
                }
            }
        }
        let middleOutputs = middleEnd(front)
        return backEnd(front: front, middle: middleOutputs)
    }

    /// Front-end timbral block: a `7 × width` valid convolution over the padded input, ReLU, batch
    /// norm, then the maximum over frequency. Batch norm is affine per channel and ReLU is monotone,
    /// so the maximum over frequency of norm(relu(x + b)) is norm(relu(max x + b)) for a positive
    /// scale and norm(relu(min x + b)) for a negative one: only the extremes of the raw convolution are
    /// kept. Writes `frames` rows of `kernel.outputs` values, `frontChannels` apart.
    private func timbralBlock(
        _ kernel: ConvolutionKernel, _ norm: BatchNorm, _ padded: UnsafePointer<Float>, into front: UnsafeMutablePointer<Float>
    ) {
        let bands = Self.bands
        let positions = bands - kernel.width + 1
        let columns = kernel.inputs
        let outputs = kernel.outputs
        let chunk = Self.chunkFrames
        let patches = UnsafeMutablePointer<Float>.allocate(capacity: chunk * positions * columns)
        let products = UnsafeMutablePointer<Float>.allocate(capacity: chunk * positions * outputs)
        defer {
            patches.deallocate()
            products.deallocate()
        }
        var start = 0
        while start < Self.frames {
            let count = min(chunk, Self.frames - start)
            for frame in 0..<count {
                for position in 0..<positions {
                    let row = patches + (frame * positions + position) * columns
                    for line in 0..<kernel.height {
                        (row + line * kernel.width).update(
                            from: padded + (start + frame + line) * bands + position, count: kernel.width)
                    }
                }
            }
            kernel.multiply(patches, rows: count * positions, inputStride: columns, into: products, outputStride: outputs)
            for frame in 0..<count {
                let out = front + (start + frame) * Self.frontChannels
                Self.extremes(products + frame * positions * outputs, rows: positions, outputs: outputs) { channel, low, high in
                    let scale = norm.scale[channel]
                    let extreme = scale >= 0 ? high : low
                    out[channel] = max(0, extreme + kernel.bias[channel]) * scale + norm.offset[channel]
                }
            }
            start += count
        }
    }

    /// Front-end temporal block: a `length × 1` convolution along time with TensorFlow's "same"
    /// padding (⌊(length − 1) / 2⌋ zeros before, the rest after), ReLU, batch norm, maximum over
    /// frequency (through the extremes, as in `timbralBlock`).
    private func temporalBlock(
        _ kernel: ConvolutionKernel, _ norm: BatchNorm, _ input: UnsafeBufferPointer<Float>, into front: UnsafeMutablePointer<Float>
    ) {
        let frames = Self.frames
        let bands = Self.bands
        let length = kernel.height
        let before = (length - 1) / 2
        let paddedLength = frames + length - 1
        // Each band's frames in a row of their own, zero-padded: a row of the convolution's input
        // matrix is then `length` consecutive values of one band.
        var bandsByTime = [Float](repeating: 0, count: bands * paddedLength)
        for frame in 0..<frames {
            for band in 0..<bands { bandsByTime[band * paddedLength + before + frame] = input[frame * bands + band] }
        }
        let outputs = kernel.outputs
        let bandChunk = 8
        let patches = UnsafeMutablePointer<Float>.allocate(capacity: bandChunk * frames * length)
        let products = UnsafeMutablePointer<Float>.allocate(capacity: bandChunk * frames * outputs)
        defer {
            patches.deallocate()
            products.deallocate()
        }
        var low = [Float](repeating: .infinity, count: frames * outputs)
        var high = [Float](repeating: -.infinity, count: frames * outputs)
        bandsByTime.withUnsafeBufferPointer { bandsByTime in
            var band = 0
            while band < bands {
                let count = min(bandChunk, bands - band)
                for offset in 0..<count {
                    let source = bandsByTime.baseAddress! + (band + offset) * paddedLength
                    for frame in 0..<frames {
                        (patches + (offset * frames + frame) * length).update(from: source + frame, count: length)
                    }
                }
                kernel.multiply(patches, rows: count * frames, inputStride: length, into: products, outputStride: outputs)
                for offset in 0..<count {
                    let block = products + offset * frames * outputs
                    for index in 0..<(frames * outputs) {
                        low[index] = min(low[index], block[index])
                        high[index] = max(high[index], block[index])
                    }
                }
                band += count
            }
        }
        for frame in 0..<frames {
            let out = front + frame * Self.frontChannels
            for channel in 0..<outputs {
                let scale = norm.scale[channel]
                let extreme = scale >= 0 ? high[frame * outputs + channel] : low[frame * outputs + channel]
                out[channel] = max(0, extreme + kernel.bias[channel]) * scale + norm.offset[channel]
            }
        }
    }

    /// Calls `body(channel, minimum, maximum)` for each of `outputs` columns over `rows` rows.
    private static func extremes(
        _ values: UnsafePointer<Float>, rows: Int, outputs: Int, _ body: (Int, Float, Float) -> Void
    ) {
        for channel in 0..<outputs {
            var low = values[channel]
            var high = low
            for row in 1..<rows {
                let value = values[row * outputs + channel]
                low = min(low, value)
                high = max(high, value)
            }
            body(channel, low, high)
        }
    }

    /// The mid end: three convolutions 7 frames high across all channels, ReLU, batch norm, the
    /// second and third with residual connections. Returns the three outputs, `frames × 64` each.
    private func middleEnd(_ front: [Float]) -> [[Float]] {
        let frames = Self.frames
        var outputs: [[Float]] = []
        var current = front
        var width = Self.frontChannels
        for (index, layer) in middle.enumerated() {
            var padded = [Float](repeating: 0, count: (frames + 6) * width)
            padded.replaceSubrange((3 * width)..<((3 + frames) * width), with: current)
            var result = [Float](repeating: 0, count: frames * layer.kernel.outputs)
            padded.withUnsafeBufferPointer { padded in
                result.withUnsafeMutableBufferPointer { result in
                    layer.kernel.convolveRows(padded.baseAddress!, rows: frames, into: result.baseAddress!)
                    for row in 0..<frames {
                        for channel in 0..<layer.kernel.outputs {
                            let index = row * layer.kernel.outputs + channel
                            result[index] = max(0, result[index] + layer.kernel.bias[channel])
                        }
                    }
                    layer.norm.apply(result.baseAddress!, rows: frames, stride: layer.kernel.outputs)
                }
            }
            if index > 0 { for position in result.indices { result[position] += current[position] } }
            outputs.append(result)
            current = result
            width = layer.kernel.outputs
        }
        return outputs
    }

    /// The back end: per feature (front end, then the three mid-end outputs) the maximum and the mean
    /// over time, interleaved as TensorFlow flattens them; batch norm; dense 200 with ReLU; batch norm;
    /// dense to the tags; sigmoid.
    private func backEnd(front: [Float], middle: [[Float]]) -> [Float] {
        let frames = Self.frames
        var pooled = [Float](repeating: 0, count: 2 * Self.features)
        var feature = 0
        for (values, width) in [(front, Self.frontChannels)] + middle.map({ ($0, Self.middleChannels) }) {
            for channel in 0..<width {
                var high = -Float.infinity
                var sum: Float = 0
                for frame in 0..<frames {
                    let value = values[frame * width + channel]
                    high = max(high, value)
                    sum += value
                }
                pooled[2 * feature] = high
                pooled[2 * feature + 1] = sum / Float(frames)
                feature += 1
            }
        }
        pooled.withUnsafeMutableBufferPointer { pooledNorm.apply($0.baseAddress!, rows: 1, stride: 0) }
        var hidden = penultimate.apply(pooled).map { max(0, $0) }
        hidden.withUnsafeMutableBufferPointer { penultimateNorm.apply($0.baseAddress!, rows: 1, stride: 0) }
        return output.apply(hidden).map { 1 / (1 + exp(-$0)) }
    }
}
