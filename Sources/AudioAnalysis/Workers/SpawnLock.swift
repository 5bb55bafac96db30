import Foundation

/// Serialises the making of pipes and the spawning of child processes. Pipes are made first and marked
/// close-on-exec after (Glibc's `pipe2` is not visible to Swift), so a child spawned by another thread
/// in between would inherit their ends and hold them open: a worker's end of file would never come.
/// Every spawn of the process's children (analysis workers, yt-dlp) takes it.
public enum SpawnLock {
    private static let lock = NSLock()

    /// Runs `body` holding the lock.
    public static func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
