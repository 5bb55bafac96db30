import AudioAnalysis
import CProcessSpawn
import Foundation

/// One running `musicforge worker`: its process id and the two pipe ends the pool talks through.
final class WorkerProcess {
    let pid: pid_t
    /// The worker's standard input.
    private(set) var input: Int32
    /// The worker's standard output.
    let output: Int32

    enum SpawnError: Error, CustomStringConvertible {
        case failed(Int32)
        case noGreeting
        var description: String {
            switch self {
            case .failed(let code): "the worker could not be started: \(String(cString: strerror(code)))"
            case .noGreeting: "the worker started but did not say it was ready"
            }
        }
    }

    /// Starts `executable` with `arguments`, standard input and output on fresh pipes and standard
    /// error shared with this process. The child starts with no blocked signals and default handlers,
    /// whatever this process (a server, a test runner) has set for itself.
    init(executable: String, arguments: [String]) throws(SpawnError) {
        // No lock around making the pipes and spawning: a child spawned by another thread between the two
        // cannot inherit this worker's pipe ends, since every spawn of ours closes all but its own stdio.
        (pid, input, output) = try Self.spawn(executable, arguments)
    }

    private static func spawn(_ executable: String, _ arguments: [String]) throws(SpawnError) -> (pid_t, Int32, Int32) {
        var toWorker: [Int32] = [0, 0]
        var fromWorker: [Int32] = [0, 0]
        guard pipe(&toWorker) == 0 else { throw .failed(errno) }
        guard pipe(&fromWorker) == 0 else {
            close(toWorker[0])
            close(toWorker[1])
            throw .failed(errno)
        }
        // Close-on-exec too, for a child spawned by anything but our own spawners (Foundation's `Process`).
        for descriptor in toWorker + fromWorker { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toWorker[0], STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, fromWorker[1], STDOUT_FILENO)
        // Nothing else of the server reaches the worker: a client connection, a Redis or PostgreSQL socket
        // left open in a long-lived worker would outlive the server's own close of it (the peer never sees
        // the connection end). Sockets of SwiftNIO and hiredis are not close-on-exec.
        musicforge_spawn_file_actions_addclosefrom(&actions, STDERR_FILENO + 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGCHLD, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        close(toWorker[0])
        close(fromWorker[1])
        guard status == 0 else {
            close(toWorker[1])
            close(fromWorker[0])
            throw .failed(status)
        }
        return (child, toWorker[1], fromWorker[0])
    }

    /// Closes the worker's input (it exits at the end of its input) and reaps it, killing it if it has
    /// not gone within `grace`.
    func stop(grace: Duration = .seconds(2)) {
        closeInput()
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if reap(blocking: false) { return finish() }
            usleep(5_000)
        }
        kill()
    }

    /// Kills the worker at once and reaps it.
    func kill() {
        Foundation.kill(pid, SIGKILL)
        _ = reap(blocking: true)
        finish()
    }

    private var reaped = false

    /// How the worker ended, once reaped: "exit status 3", "signal 9".
    private(set) var ending: String?

    private func reap(blocking: Bool) -> Bool {
        guard !reaped else { return true }
        var status: Int32 = 0
        let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
        guard result == pid else { return false }
        reaped = true
        let signal = status & 0x7F
        ending = signal == 0 ? "exit status \((status >> 8) & 0xFF)" : "signal \(signal)"
        return true
    }

    private func closeInput() {
        if input >= 0 {
            close(input)
            input = -1
        }
    }

    private var finished = false

    private func finish() {
        closeInput()
        if !finished {
            finished = true
            close(output)
        }
    }
}
