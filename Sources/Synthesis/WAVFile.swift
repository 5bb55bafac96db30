import Foundation

/// Minimal WAV writer.
public enum WAVFile {
    /// A complete RIFF/WAVE file: 16-bit PCM, mono, at `sampleRate`. Samples are clamped to [-1, 1] and rounded.
    public static func data(samples: [Float], sampleRate: Int) -> Data {
        let dataBytes = samples.count * 2
        var data = Data(capacity: 44 + dataBytes)
        func append(_ text: String) { data.append(contentsOf: Array(text.utf8)) }
        func append32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        func append16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        append("RIFF")
        append32(UInt32(truncatingIfNeeded: 36 + dataBytes))
        append("WAVE")
        append("fmt ")
        append32(16)  // fmt chunk size
        append16(1)  // PCM
        append16(1)  // mono
        append32(UInt32(sampleRate))
        append32(UInt32(sampleRate * 2))  // byte rate
        append16(2)  // block align
        append16(16)  // bits per sample
        append("data")
        append32(UInt32(truncatingIfNeeded: dataBytes))
        let pcm = samples.map { sample -> Int16 in
            let clamped = sample.isFinite ? min(1, max(-1, sample)) : 0
            return Int16((clamped * 32_767).rounded()).littleEndian
        }
        pcm.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }
}
