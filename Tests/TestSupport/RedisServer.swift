import Foundation
import Synchronization

/// A real `redis-server` on a free loopback port, in a temporary folder.
///
/// Tests share one (``TestServers/redis()``); a test that stops or restarts Redis starts its own.
public final class RedisServer: Sendable {
    public let port: Int
    public let directory: String
    private let process: Mutex<SpawnedProcess?>

    public var url: String { "redis://127.0.0.1:\(port)/0" }

    private init(port: Int, directory: String) {
        self.port = port
        self.directory = directory
        self.process = Mutex(nil)
    }

    /// Starts a new server and waits until it accepts connections.
    public static func start() async throws -> RedisServer {
        let directory = try Processes.makeTemporaryDirectory("redis")
        // A free port can be taken by another test's server before ours binds it: try another.
        for attempt in 1...5 {
            let server = RedisServer(port: try Processes.freePort(), directory: directory)
            do {
                try await server.start()
                Processes.cleanUpWhenTestsExit("kill \(server.pid ?? 0) 2>/dev/null; rm -rf '\(directory)'")
                return server
            } catch  where attempt < 5 {
                try? await server.stop()
            }
        }
        throw HarnessError("redis-server did not start")
    }

    var pid: Int32? { process.withLock { $0?.pid } }

    /// Starts (again) on the same port.
    public func start() async throws {
        guard let executable = Processes.find("redis-server") else {
            throw HarnessError("redis-server is not installed (apt-get install redis-server)")
        }
        // A restart appends to the same log: only a line this start writes counts.
        let readyBefore = readyLines()
        let started = try Processes.spawn(
            executable,
            [
                "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory,
                "--protected-mode", "no", "--daemonize", "no", "--enable-debug-command", "local", "--pidfile", directory + "/redis.pid",
            ],
            logFile: directory + "/redis.log")
        process.withLock { $0 = started }
        // Ready when this server says so, not when something listens on the port: that could be another
        // test's server that took the port first (ours then exits, and `start()` tries another port).
        try await Processes.wait(for: .seconds(60), what: "redis-server on port \(port)") {
            readyLines() > readyBefore || !started.isRunning
        }
        guard started.isRunning else { throw HarnessError("redis-server exited at start: see \(directory)/redis.log") }
    }

    /// How many times the log says the server is ready to accept connections.
    private func readyLines() -> Int {
        let log = String(decoding: FileManager.default.contents(atPath: directory + "/redis.log") ?? Data(), as: UTF8.self)
        return log.components(separatedBy: "Ready to accept connections").count - 1
    }

    /// Stops the server (SIGTERM) and waits until it is gone.
    public func stop() async throws {
        guard
            let running = process.withLock({ current -> SpawnedProcess? in
                defer { current = nil }; return current
            })
        else { return }
        running.terminate()
        try await Processes.wait(for: .seconds(60), what: "redis-server to stop") { !running.isRunning }
        try await Processes.wait(for: .seconds(60), what: "port \(port) to close") { !Processes.isListening(port: port) }
    }

    public func restart() async throws {
        try await stop()
        try await start()
    }
}
