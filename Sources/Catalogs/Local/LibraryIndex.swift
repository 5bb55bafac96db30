import AudioAnalysis
import Foundation

/// What is known of one file of a local library: the size and modification time it had when it was
/// analysed, and the analysis and tags that came out.
public struct LibraryRecord: Sendable, Hashable, Codable {
    /// Relative to the library.
    public var path: String
    public var size: Int64
    /// Seconds since 1970.
    public var modified: Double
    public var analysis: Analysis?
    public var metadata: AudioMetadata?
    /// Why the last analysis failed; the file is not tried again until it changes.
    public var failure: String?

    public init(path: String, size: Int64, modified: Double, analysis: Analysis?, metadata: AudioMetadata?, failure: String? = nil) {
        self.path = path
        self.size = size
        self.modified = modified
        self.analysis = analysis
        self.metadata = metadata
        self.failure = failure
    }

    /// Whether this record still describes `file` with the current engine.
    func isCurrent(for file: LibraryFile) -> Bool {
        size == file.size && abs(modified - file.modified) < 0.001
            && (failure != nil || analysis?.analysisVersion == Analysis.currentVersion)
    }
}

/// Where a library's records are kept between runs: PostgreSQL in the server (`Platform`),
/// ``LibraryIndexFile`` for the command line.
public protocol LibraryIndexStore: Sendable {
    /// Every record of the library at `root`, by relative path.
    func records(root: String) async throws -> [String: LibraryRecord]
    /// Adds or replaces `records` and forgets `removed` paths.
    func save(_ records: [LibraryRecord], removing removed: [String], root: String) async throws
}

/// The command line's index: `.musicforge-index.json` in the library folder, written whole and
/// renamed into place. A library folder that cannot be written to still works, without the cache.
public struct LibraryIndexFile: LibraryIndexStore {
    public static let fileName = ".musicforge-index.json"

    public init() {}

    private struct Contents: Codable {
        var version = 1
        var records: [LibraryRecord]
    }

    public func records(root: String) async throws -> [String: LibraryRecord] {
        guard let data = FileManager.default.contents(atPath: root + "/" + Self.fileName),
            let contents = try? JSONDecoder().decode(Contents.self, from: data)
        else { return [:] }
        return Dictionary(contents.records.map { ($0.path, $0) }, uniquingKeysWith: { _, last in last })
    }

    public func save(_ records: [LibraryRecord], removing removed: [String], root: String) async throws {
        var all = try await self.records(root: root)
        for path in removed { all[path] = nil }
        for record in records { all[record.path] = record }
        let data = try JSONEncoder().encode(Contents(records: all.values.sorted { $0.path < $1.path }))
        let temporary = root + "/" + Self.fileName + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, root + "/" + Self.fileName) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
    }
}
