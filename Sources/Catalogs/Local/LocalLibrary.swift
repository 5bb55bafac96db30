import AudioAnalysis
import Core
import Foundation
import Synchronization

/// A folder of audio files as a catalogue, with every file's analysis kept in a ``LibraryIndexStore``
/// so that a file is analysed once, and again only when its size or modification time changes (or
/// the engine's `analysis_version` does).
public final class LocalLibrary: Sendable {
    public let root: String
    public let store: any LibraryIndexStore

    /// Analyses one file (through the worker pool): its analysis and container tags.
    public typealias Analyze = @Sendable (_ absolutePath: String) async throws -> (Analysis, AudioMetadata)

    private let snapshot = Mutex<[String: LibraryRecord]?>(nil)

    public init(root: String, store: any LibraryIndexStore) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        self.store = store
    }

    /// A library track: the file, and what is known of it.
    public struct Track: Sendable, Hashable {
        public var file: LibraryFile
        public var record: LibraryRecord?

        /// Folder names, the container's genre and the known words of its comment, lower case.
        public var tags: [String] {
            var tags = file.folderTags
            if let genre = record?.metadata?.genre { tags.append(TagVocabulary.canonical(genre.lowercased())) }
            for word in (record?.metadata?.comment ?? "").lowercased().split(whereSeparator: { !$0.isLetter && $0 != "-" }) {
                let tag = TagVocabulary.canonical(String(word))
                if TagVocabulary.isKnown(tag) { tags.append(tag) }
            }
            var seen: Set<String> = []
            return tags.filter { seen.insert($0).inserted }
        }

        public var title: String {
            record?.metadata?.title ?? URL(fileURLWithPath: file.path).deletingPathExtension().lastPathComponent
        }
    }

    /// What ``refresh(analyze:concurrency:)`` did.
    public struct RefreshReport: Sendable, Equatable {
        public var files: Int
        public var analysed: Int
        public var reused: Int
        public var failed: Int
        public var removed: Int

        public init(files: Int, analysed: Int, reused: Int, failed: Int, removed: Int) {
            self.files = files
            self.analysed = analysed
            self.reused = reused
            self.failed = failed
            self.removed = removed
        }
    }

    /// The files as they are now, with their records (not analysing anything).
    public func tracks() async -> [Track] {
        let records = await currentRecords()
        return await LibraryScanner.scanInBackground(root).map { file in
            Track(file: file, record: records[file.path].flatMap { $0.isCurrent(for: file) ? $0 : nil })
        }
    }

    /// Scans the folder, analyses new and changed files, forgets deleted ones, and saves the index.
    public func refresh(analyze: @escaping Analyze, concurrency: Int = 2) async -> RefreshReport {
        let files = await LibraryScanner.scanInBackground(root)
        let records = await currentRecords()
        let stale = files.filter { file in !(records[file.path]?.isCurrent(for: file) ?? false) }
        let present = Set(files.map(\.path))
        let removed = records.keys.filter { !present.contains($0) }

        var fresh: [LibraryRecord] = []
        await withTaskGroup(of: LibraryRecord.self) { group in
            var next = 0
            func start() {
                guard next < stale.count else { return }
                let file = stale[next]
                next += 1
                let absolute = root + "/" + file.path
                group.addTask {
                    do {
                        let (analysis, metadata) = try await analyze(absolute)
                        return LibraryRecord(
                            path: file.path, size: file.size, modified: file.modified, analysis: analysis, metadata: metadata)
                    } catch {
                        return LibraryRecord(
                            path: file.path, size: file.size, modified: file.modified, analysis: nil, metadata: nil,
                            failure: String(describing: error))
                    }
                }
            }
            for _ in 0..<max(1, concurrency) { start() }
            while let record = await group.next() {
                fresh.append(record)
                start()
            }
        }
        if !fresh.isEmpty || !removed.isEmpty {
            try? await store.save(fresh, removing: removed, root: root)
        }
        snapshot.withLock { snapshot in
            var updated = records
            for path in removed { updated[path] = nil }
            for record in fresh { updated[record.path] = record }
            snapshot = updated
        }
        return RefreshReport(
            files: files.count, analysed: fresh.count { $0.failure == nil }, reused: files.count - stale.count,
            failed: fresh.count { $0.failure != nil }, removed: removed.count)
    }

    /// The file at `path` (relative) with its record if that still describes it; nil for no such file.
    public func track(at path: String) async -> Track? {
        guard let file = Self.stat(root: root, path: path) else { return nil }
        let record = await currentRecords()[path]
        return Track(file: file, record: record.flatMap { $0.isCurrent(for: file) ? $0 : nil })
    }

    /// What the index holds for the file at `path` (relative) as it is now: its analysis, or why it
    /// could not be analysed; nil when the file is new or changed.
    public func currentRecord(of path: String) async -> LibraryRecord? {
        await track(at: path)?.record
    }

    /// Records one analysis made elsewhere (by the search pipeline), so it is not made again.
    public func remember(_ analysis: Analysis, metadata: AudioMetadata, of path: String) async {
        await save(of: path) { LibraryRecord(path: $0.path, size: $0.size, modified: $0.modified, analysis: analysis, metadata: metadata) }
    }

    /// Records that the file at `path` cannot be analysed, so it is not tried again until it changes.
    public func remember(failure: String, of path: String) async {
        await save(of: path) {
            LibraryRecord(path: $0.path, size: $0.size, modified: $0.modified, analysis: nil, metadata: nil, failure: failure)
        }
    }

    private func save(of path: String, _ record: (LibraryFile) -> LibraryRecord) async {
        guard let file = Self.stat(root: root, path: path) else { return }
        let record = record(file)
        _ = await currentRecords()
        try? await store.save([record], removing: [], root: root)
        snapshot.withLock { $0?[file.path] = record }
    }

    /// The file at `path` under `root` as the folder shows it now.
    static func stat(root: String, path: String) -> LibraryFile? {
        let url = URL(fileURLWithPath: root + "/" + path)
        guard let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]),
            values.isRegularFile == true
        else { return nil }
        return LibraryFile(
            path: path, size: Int64(values.fileSize ?? 0), modified: values.contentModificationDate?.timeIntervalSince1970 ?? 0,
            folderTags: LibraryScanner.folderTags(of: path))
    }

    private func currentRecords() async -> [String: LibraryRecord] {
        if let cached = snapshot.withLock({ $0 }) { return cached }
        let loaded = (try? await store.records(root: root)) ?? [:]
        snapshot.withLock { $0 = loaded }
        return loaded
    }
}
