import CProcessSpawn
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A helper process failed; the message carries its output.
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A long-running child started with a clean signal mask.
///
/// Test runners block signals on their threads, and children inherit the mask: a server started
/// through `Process` would never see SIGTERM. `posix_spawn` with an empty mask and default
/// handlers gives it the signals an operator would send.
public final class SpawnedProcess: Sendable {
    public let pid: pid_t
    private let reaped = Atomic<Bool>(false)
    private let exitStatus = Atomic<Int32>(-1)

    /// - Parameters:
    ///   - logFile: where stdout (and stderr, unless `stderrFile` is given) is appended.
    ///   - environment: the child's whole environment; nil inherits ours.
    public init(
        executable: String, arguments: [String], logFile: String, environment: [String: String]? = nil,
        stderrFile: String? = nil
    ) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let stderrFile {
            posix_spawn_file_actions_addopen(&actions, 2, stderrFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // None of the test process's sockets: a server's connection held open by a child (a watcher shell
        // that lives as long as the tests) would never be seen to close by its client.
        musicforge_spawn_file_actions_addclosefrom(&actions, 3)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let environmentStrings = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for pointer in environmentStrings ?? [] { free(pointer) } }
        let status =
            if let environmentStrings {
                posix_spawn(&pid, executable, &actions, &attributes, argv, environmentStrings)
            } else {
                posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            }
        guard status == 0 else { throw HarnessError("posix_spawn \(executable) failed: \(String(cString: strerror(status)))") }
        self.pid = pid
    }

    /// Whether it still runs; reaps it once it has exited.
    public var isRunning: Bool {
        if reaped.load(ordering: .acquiring) { return false }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid || (result == -1 && errno == ECHILD) {
            // Exit code, or 128 + signal as a shell reports it.
            let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            exitStatus.store(result == pid ? code : -1, ordering: .relaxed)
            reaped.store(true, ordering: .releasing)
            return false
        }
        return true
    }

    /// The exit status once it has ended (128 + n for signal n), else nil.
    public var terminationStatus: Int32? {
        isRunning ? nil : exitStatus.load(ordering: .relaxed)
    }

    /// Waits for the process to end, polling: signals are blocked in test runners, so no SIGCHLD arrives.
    public func waitForExit() async throws -> Int32 {
        while isRunning { try await Task.sleep(for: .milliseconds(5)) }
        return exitStatus.load(ordering: .relaxed)
    }

    public func signal(_ signal: Int32) { kill(pid, signal) }
    public func terminate() { signal(SIGTERM) }
}

public enum Processes {
    /// Runs a program to completion and returns its combined output; throws if it exits non-zero.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> String {
        let outputFile = NSTemporaryDirectory() + "/musicforge-run-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: outputFile) }
        let process = try SpawnedProcess(executable: executable, arguments: arguments, logFile: outputFile, environment: environment)
        let status = try await process.waitForExit()
        let text = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw HarnessError("\(executable) \(arguments.joined(separator: " ")) exited with \(status): \(text)")
        }
        return text
    }

    /// Starts a long-running program with its output appended to `logFile`.
    static func spawn(_ executable: String, _ arguments: [String], logFile: String) throws -> SpawnedProcess {
        try SpawnedProcess(executable: executable, arguments: arguments, logFile: logFile)
    }

    /// The first executable called `name` in `directories`, else on PATH.
    public static func find(_ name: String, preferring directories: [String] = []) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in directories + path.split(separator: ":").map(String.init) {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw HarnessError("could not bind a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func isListening(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes.
    public static func wait(for timeout: Duration, what: String, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("timed out after \(timeout) waiting for \(what)")
    }

    /// Cleans up after the test process however it ends: a detached shell waits for our pid to go,
    /// then runs `command` (stop a server, remove its folder).
    static func cleanUpWhenTestsExit(_ command: String) {
        let pid = getpid()
        _ = try? SpawnedProcess(
            executable: "/bin/sh", arguments: ["-c", "while kill -0 \(pid) 2>/dev/null; do sleep 1; done; \(command)"],
            logFile: "/dev/null")
    }

    static var isRoot: Bool { geteuid() == 0 }

    public static func makeTemporaryDirectory(_ prefix: String) throws -> String {
        let base = ProcessInfo.processInfo.environment["MUSICFORGE_TEST_TMP"] ?? NSTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let path = base + "/" + prefix + "-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
