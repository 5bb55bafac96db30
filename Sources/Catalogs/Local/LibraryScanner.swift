import AudioAnalysis
import Core
import Foundation

/// One audio file of a local library, as the folder shows it now.
public struct LibraryFile: Sendable, Hashable {
    /// Relative to the library, with `/` separators: the candidate's `external_id`.
    public var path: String
    public var size: Int64
    /// Seconds since 1970.
    public var modified: Double
    /// Tags from the folders it sits in: "techno/dark/x.mp3" gives "techno" and "dark".
    public var folderTags: [String]
}

/// Lists the audio files under a folder, recursively, skipping hidden files and folders.
public enum LibraryScanner {
    /// Files beyond this many are not listed (a misconfigured root such as `/` stays cheap).
    public static let maxFiles = 20_000

    /// ``scan(_:)`` on a Dispatch worker thread: a directory walk blocks, and the server runs its tasks
    /// on the event loops that serve requests.
    public static func scanInBackground(_ root: String) async -> [LibraryFile] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: scan(root)) }
        }
    }

    /// The audio files under `root`, sorted by path, at most `limit` of them.
    public static func scan(_ root: String, limit: Int = maxFiles) -> [LibraryFile] {
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        guard
            let enumerator = FileManager.default.enumerator(
                at: rootURL, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey],
                options: [.skipsHiddenFiles])
        else { return [] }
        var files: [LibraryFile] = []
        let prefix = rootURL.path.hasSuffix("/") ? rootURL.path : rootURL.path + "/"
        for case let url as URL in enumerator {
            guard AudioDecoder.fileExtensions.contains(url.pathExtension.lowercased()),
                let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]),
                values.isRegularFile == true
            else { continue }
            let absolute = url.standardizedFileURL.path
            guard absolute.hasPrefix(prefix) else { continue }
            let relative = String(absolute.dropFirst(prefix.count))
            files.append(
                LibraryFile(
                    path: relative, size: Int64(values.fileSize ?? 0),
                    modified: values.contentModificationDate?.timeIntervalSince1970 ?? 0, folderTags: folderTags(of: relative)))
            if files.count >= limit { break }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The folder names of `relativePath`, lower case, as canonical vocabulary names where they are
    /// known ("Drum & Bass" → "drum-and-bass").
    static func folderTags(of relativePath: String) -> [String] {
        relativePath.split(separator: "/").dropLast().compactMap { folder in
            let text = folder.lowercased().replacingOccurrences(of: "_", with: " ")
            guard !text.isEmpty else { return nil }
            return TagVocabulary.canonical(text)
        }
    }
}
