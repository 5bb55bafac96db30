import CProcessSpawn
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A YouTube video's audio through the `yt-dlp` program (`YTDLP_PATH`): audio only, read from its
/// standard output up to a byte cap (the analysis needs only the start), under a time limit after
/// which the program is killed. The stream URL yt-dlp resolves stays inside this process.
public struct YTDLPFetcher: Sendable {
    public let program: String
    public let timeout: Duration
    /// Bytes read before the program is stopped: about the first few minutes of audio.
    public let maxBytes: Int

    public init(program: String = "yt-dlp", timeout: Duration = .seconds(30), maxBytes: Int = 12 << 20) {
        self.program = program
        self.timeout = timeout
        self.maxBytes = maxBytes
    }

    /// The audio bytes of video `videoID`.
    public func fetch(videoID: String) async throws(DownloadError) -> [UInt8] {
        guard (1...32).contains(videoID.count), videoID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { throw .invalidURL(videoID) }
        guard let executable = Self.locate(program) else { throw .tool("the program \(program) is not installed (set YTDLP_PATH)") }
        let arguments = [
            "--quiet", "--no-warnings", "--no-progress", "--no-playlist", "-f", "bestaudio/best", "-o", "-", "--",
            "https://www.youtube.com/watch?v=\(videoID)",
        ]
        let (timeout, maxBytes) = (timeout, maxBytes)
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[UInt8], DownloadError>, Never>) in
            // The pipe reads block: a thread of their own, never the cooperative pool.
            Thread {
                continuation.resume(returning: Self.run(executable, arguments, timeout: timeout, maxBytes: maxBytes))
            }.start()
        }
        return try result.get()
    }

    static func locate(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs the program in a process group of its own, so that a time-out or the byte cap kills it
    /// and every child it started (yt-dlp runs ffmpeg), and no child can keep the pipes open.
    private static func run(_ executable: String, _ arguments: [String], timeout: Duration, maxBytes: Int) -> Result<[UInt8], DownloadError>
    {
        var outputPipe: [Int32] = [0, 0]
        var errorPipe: [Int32] = [0, 0]
        // Close-on-exec from birth: a process another thread spawns meanwhile must not inherit a write
        // end, or the end of the output would never come. Socket pairs can be made so atomically
        // (Glibc's pipe2 is not visible to Swift); the child's dup2 clears the flag on its copies.
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, kind, 0, &outputPipe) == 0 else { return .failure(.tool("no pipe could be made")) }
        guard socketpair(AF_UNIX, kind, 0, &errorPipe) == 0 else {
            close(outputPipe[0])
            close(outputPipe[1])
            return .failure(.tool("no pipe could be made"))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        // The pipes' own ends and everything else of the server's (its sockets are not close-on-exec).
        musicforge_spawn_file_actions_addclosefrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        func spawn() -> Int32 { posix_spawn(&pid, executable, &actions, &attributes, argv, environ) }
        var spawned = spawn()
        // "Text file busy": the program was just written and another thread's fork still holds it open.
        for _ in 0..<20 where spawned == ETXTBSY {
            usleep(50_000)
            spawned = spawn()
        }
        close(outputPipe[1])
        close(errorPipe[1])
        defer {
            close(outputPipe[0])
            close(errorPipe[0])
        }
        guard spawned == 0 else { return .failure(.tool("it could not be started (error \(spawned))")) }

        let group = pid
        let finished = Atomic(false)
        let timedOut = Atomic(false)
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            guard !finished.load(ordering: .acquiring) else { return }
            timedOut.store(true, ordering: .relaxed)
            kill(-group, SIGKILL)
        }
        var bytes: [UInt8] = []
        var capped = false
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(outputPipe[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<min(count, maxBytes - bytes.count)])
            if bytes.count >= maxBytes {
                capped = true
                kill(-pid, SIGKILL)
                break
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        finished.store(true, ordering: .releasing)
        // Whatever the group left behind goes with it.
        kill(-pid, SIGKILL)
        let message = readAvailable(errorPipe[0])
        if capped { return .success(bytes) }
        if timedOut.load(ordering: .relaxed) { return .failure(.timedOut) }
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            let line = message.split(separator: "\n").last.map(String.init) ?? "exit status \(code)"
            return .failure(.tool(String(line.prefix(300))))
        }
        guard !bytes.isEmpty else { return .failure(.tool("it wrote no audio")) }
        return .success(bytes)
    }

    /// What the pipe holds now, without waiting for an end.
    private static func readAvailable(_ descriptor: Int32) -> String {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while collected.count < 64 * 1024 {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            collected.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: collected.suffix(2_000), as: UTF8.self)
    }
}
