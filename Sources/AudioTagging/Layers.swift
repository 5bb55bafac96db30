import CBLAS

/// Batch normalisation at inference, folded into a scale and an offset per channel:
/// y = (x − mean) / √(variance + ε) · γ + β = x · scale + offset.
struct BatchNorm: Sendable {
    /// TensorFlow 1's `tf.layers.batch_normalization` default, which musicnn was trained with.
    static let epsilon: Float = 1e-3

    let scale: [Float]
    let offset: [Float]

    init(_ weights: TaggingWeights, _ name: String, channels: Int) throws(TaggingWeightsError) {
        let gamma = try weights.tensor(name + "/gamma", shape: [channels])
        let beta = try weights.tensor(name + "/beta", shape: [channels])
        let mean = try weights.tensor(name + "/moving_mean", shape: [channels])
        let variance = try weights.tensor(name + "/moving_variance", shape: [channels])
        var scale = [Float](repeating: 0, count: channels)
        var offset = [Float](repeating: 0, count: channels)
        for channel in 0..<channels {
            scale[channel] = gamma[channel] / (variance[channel] + Self.epsilon).squareRoot()
            offset[channel] = beta[channel] - mean[channel] * scale[channel]
        }
        self.scale = scale
        self.offset = offset
    }

    var channels: Int { scale.count }

    /// Normalises `rows` rows of `channels` values, `stride` apart, in place.
    func apply(_ values: UnsafeMutablePointer<Float>, rows: Int, stride: Int) {
        for row in 0..<rows {
            let line = values + row * stride
            for channel in 0..<channels { line[channel] = line[channel] * scale[channel] + offset[channel] }
        }
    }
}

/// A convolution's kernel as a matrix (kernel height × width × input channels rows, output channels
/// columns: TensorFlow's `[height, width, in, out]` layout read row-major) and its bias.
struct ConvolutionKernel: Sendable {
    let matrix: [Float]
    let bias: [Float]
    let height: Int
    let width: Int
    let outputs: Int

    init(_ weights: TaggingWeights, _ name: String, height: Int, width: Int, outputs: Int) throws(TaggingWeightsError) {
        matrix = try weights.tensor(name + "/kernel", shape: [height, width, 1, outputs])
        bias = try weights.tensor(name + "/bias", shape: [outputs])
        self.height = height
        self.width = width
        self.outputs = outputs
    }

    var inputs: Int { height * width }

    /// The convolution over time of `rows + height − 1` consecutive input rows of `width` values
    /// (already padded): output row t = Σ over the kernel's lines i of input row t + i · line i. One
    /// matrix product per kernel line, accumulated, so the overlapping windows need no copying (BLAS
    /// wants a row stride of at least the row's length, so one product over the windows is not allowed).
    func convolveRows(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>) {
        matrix.withUnsafeBufferPointer { kernel in
            for line in 0..<height {
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(outputs), Int32(width), 1,
                    input + line * width, Int32(width), kernel.baseAddress! + line * width * outputs, Int32(outputs),
                    line == 0 ? 0 : 1, output, Int32(outputs))
            }
        }
    }

    /// output (rows × outputs, row stride `outputStride`) = input (rows × inputs, row stride
    /// `inputStride` ≥ inputs) · kernel, through BLAS.
    func multiply(
        _ input: UnsafePointer<Float>, rows: Int, inputStride: Int, into output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        matrix.withUnsafeBufferPointer { kernel in
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(outputs), Int32(inputs), 1,
                input, Int32(inputStride), kernel.baseAddress, Int32(outputs), 0, output, Int32(outputStride))
        }
    }
}

/// A fully connected layer: `[inputs, outputs]` kernel and bias.
struct DenseLayer: Sendable {
    let matrix: [Float]
    let bias: [Float]
    let inputs: Int
    let outputs: Int

    init(_ weights: TaggingWeights, _ name: String, inputs: Int, outputs: Int) throws(TaggingWeightsError) {
        matrix = try weights.tensor(name + "/kernel", shape: [inputs, outputs])
        bias = try weights.tensor(name + "/bias", shape: [outputs])
        self.inputs = inputs
        self.outputs = outputs
    }

    func apply(_ input: [Float]) -> [Float] {
        var output = bias
        matrix.withUnsafeBufferPointer { kernel in
            cblas_sgemv(
                CblasRowMajor, CblasTrans, Int32(inputs), Int32(outputs), 1, kernel.baseAddress, Int32(outputs), input, 1, 1,
                &output, 1)
        }
        return output
    }
}
