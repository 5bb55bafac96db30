import Foundation

/// "[3/48] techno/track.mp3" on stderr, rewritten in place, only when stderr is a terminal.
public final class TerminalProgress: @unchecked Sendable {
    // @unchecked: `done` is guarded by `lock`.
    private let total: Int
    private var done = 0
    private let lock = NSLock()
    private let enabled = isatty(STDERR_FILENO) == 1

    public init(total: Int) { self.total = total }

    public func advance(_ label: String) {
        let count = lock.withLock {
            done += 1
            return done
        }
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K[\(count)/\(total)] \(label)".utf8))
    }

    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
