import Foundation

/// Why the tagging network could not be loaded. The engine then measures without tags.
public enum TaggingWeightsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No weights file where it was looked for.
    case missing(path: String)
    /// The file exists but could not be read.
    case unreadable(path: String, reason: String)
    /// The file is not a weights file this version reads, or its data does not match its checksum.
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path): "no weights file at \(path) (scripts/run and scripts/test make it; see MUSICFORGE_MODELS)"
        case .unreadable(let path, let reason): "the weights file \(path) could not be read: \(reason)"
        case .corrupt(let path, let reason): "the weights file \(path) is damaged: \(reason)"
        }
    }
}

/// The tensors of a converted weights file, as `scripts/lib/convert_musicnn.py` writes it:
///
/// - 8 bytes `MFWEIGHT`, then little-endian u32s: the format version (1), the header's length in
///   bytes, and the CRC-32 of the data section;
/// - the header: JSON with `source`, `licence`, `models` (name → `labels`) and `tensors` (each a
///   `name`, a TensorFlow `shape` and an `offset` in floats from the start of the data);
/// - zeros up to the next multiple of 64 bytes, then the data: little-endian float32, tensors one
///   after another in their TensorFlow layouts.
public struct TaggingWeights: Sendable {
    public static let fileName = "musicnn.weights"
    static let magic = Array("MFWEIGHT".utf8)
    static let version: UInt32 = 1
    /// Larger than any weights file of this format could be: refuses to read anything else whole.
    static let maxFileBytes = 64 << 20

    struct Header: Decodable {
        struct Model: Decodable { var labels: [String] }
        struct Tensor: Decodable {
            var name: String
            var shape: [Int]
            var offset: Int
        }
        var source: String
        var licence: String
        var models: [String: Model]
        var tensors: [Tensor]
    }

    public let source: String
    public let licence: String
    /// Model name → its tag labels, in output order.
    public let labels: [String: [String]]
    private let shapes: [String: (shape: [Int], offset: Int)]
    private let data: [Float]

    /// The folder the weights are looked for in: `MUSICFORGE_MODELS`, else `models` in the working
    /// directory (where the scripts put them).
    public static func folder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let folder = environment["MUSICFORGE_MODELS"], !folder.isEmpty { return folder }
        return FileManager.default.currentDirectoryPath + "/models"
    }

    /// Reads and checks the weights file at `path`.
    public init(path: String) throws(TaggingWeightsError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw .missing(path: path)
        }
        let bytes: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > Self.maxFileBytes {
                throw TaggingWeightsError.corrupt(path: path, reason: "\(size) bytes is larger than any weights file")
            }
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as TaggingWeightsError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        try self.init(bytes: bytes, path: path)
    }

    init(bytes: Data, path: String) throws(TaggingWeightsError) {
        func corrupt(_ reason: String) -> TaggingWeightsError { .corrupt(path: path, reason: reason) }
        let bytes = [UInt8](bytes)
        guard bytes.count >= 20, Array(bytes[0..<8]) == Self.magic else { throw corrupt("it is not a MusicForge weights file") }
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        guard u32(8) == Self.version else { throw corrupt("format version \(u32(8)), this build reads \(Self.version)") }
        let headerLength = Int(u32(12))
        let dataStart = (20 + headerLength + 63) / 64 * 64
        guard headerLength > 0, dataStart <= bytes.count, (bytes.count - dataStart) % 4 == 0 else {
            throw corrupt("it is truncated")
        }
        let checksum = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[dataStart...])) }
        guard checksum == u32(16) else { throw corrupt("its data does not match its checksum") }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[20..<(20 + headerLength)]))
        } catch {
            throw corrupt("its header is not valid")
        }
        let count = (bytes.count - dataStart) / 4
        var data = [Float](repeating: 0, count: count)
        data.withUnsafeMutableBytes { target in
            bytes.withUnsafeBytes { source in
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[dataStart..<(dataStart + 4 * count)]))
            }
        }
        #if _endian(big)
            data = data.map { Float(bitPattern: $0.bitPattern.byteSwapped) }
        #endif
        var shapes: [String: (shape: [Int], offset: Int)] = [:]
        for tensor in header.tensors {
            let size = tensor.shape.reduce(1, *)
            guard tensor.offset >= 0, tensor.shape.allSatisfy({ $0 > 0 }), tensor.offset + size <= count else {
                throw corrupt("tensor \(tensor.name) lies outside the data")
            }
            shapes[tensor.name] = (tensor.shape, tensor.offset)
        }
        source = header.source
        licence = header.licence
        labels = header.models.mapValues(\.labels)
        self.shapes = shapes
        self.data = data
    }

    /// The tensor called `name`, checked against the shape the network expects.
    func tensor(_ name: String, shape: [Int]) throws(TaggingWeightsError) -> [Float] {
        guard let entry = shapes[name] else { throw .corrupt(path: Self.fileName, reason: "it has no tensor \(name)") }
        guard entry.shape == shape else {
            throw .corrupt(path: Self.fileName, reason: "tensor \(name) has shape \(entry.shape), expected \(shape)")
        }
        return Array(data[entry.offset..<(entry.offset + shape.reduce(1, *))])
    }
}
