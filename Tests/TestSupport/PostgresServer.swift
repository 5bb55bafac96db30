import Foundation
import Synchronization

/// A real PostgreSQL on a free loopback port, in a temporary folder.
///
/// PostgreSQL refuses to run as root, so as root its programs run as the `postgres` system user.
/// Tests share one cluster (``TestServers/postgres()``) and each takes a fresh database from it.
public final class PostgresServer: Sendable {
    public let port: Int
    public let directory: String
    let binaries: String
    private let databaseCounter = Atomic<Int>(0)

    private init(port: Int, directory: String, binaries: String) {
        self.port = port
        self.directory = directory
        self.binaries = binaries
    }

    /// `initdb`, then start; waits until it accepts queries.
    public static func start() async throws -> PostgresServer {
        // Debian's versioned folder first: it holds the server and client programs together.
        guard let initdb = Processes.find("initdb", preferring: postgresDirectories()) else {
            throw HarnessError("PostgreSQL is not installed (apt-get install postgresql)")
        }
        let binaries = (initdb as NSString).deletingLastPathComponent
        let directory = try Processes.makeTemporaryDirectory("postgres")
        if Processes.isRoot {
            // The postgres user must own the folder and be able to reach it.
            try await Processes.run("/bin/chown", ["-R", "postgres:postgres", directory])
            try await Processes.run("/bin/chmod", ["755", (directory as NSString).deletingLastPathComponent])
        }
        let initializer = PostgresServer(port: 0, directory: directory, binaries: binaries)
        try await initializer.asServerUser(
            "initdb", ["-D", directory + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "-N"])
        Processes.cleanUpWhenTestsExit(
            initializer.commandLine("pg_ctl", ["-D", directory + "/data", "-m", "immediate", "stop"]) + "; rm -rf '\(directory)'")
        // A free port can be taken by another test's server before ours binds it: try another.
        for attempt in 1...5 {
            let server = PostgresServer(port: try Processes.freePort(), directory: directory, binaries: binaries)
            do {
                try await server.start()
                return server
            } catch  where attempt < 5 {
                continue
            }
        }
        throw HarnessError("PostgreSQL did not start")
    }

    public func url(database: String) -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Starts (again) and waits until ready.
    public func start() async throws {
        // Suites run in parallel and each test app's pool opens up to 20 connections, so 100 (PostgreSQL's
        // default) was seen to run out when the platform suites ran together.
        let options = [
            "-p \(port)", "-k \(directory)", "-c listen_addresses=127.0.0.1", "-c fsync=off",
            "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=300",
        ].joined(separator: " ")
        // `-w` waits for this server's own readiness; generously, as every suite starts beside it.
        try await asServerUser(
            "pg_ctl", ["-D", directory + "/data", "-o", options, "-l", directory + "/postgres.log", "-w", "-t", "120", "start"])
    }

    /// Stops at once (fast shutdown: open sessions are ended).
    public func stop() async throws {
        try await asServerUser("pg_ctl", ["-D", directory + "/data", "-m", "fast", "-w", "stop"])
    }

    /// A new, empty database; returns its URL.
    public func createDatabase(prefix: String = "test") async throws -> String {
        let name = "\(prefix)_\(databaseCounter.add(1, ordering: .relaxed).newValue)_\(UUID().uuidString.prefix(6).lowercased())"
        try await asServerUser(
            "psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-q", "-c", "CREATE DATABASE \(name)"])
        return url(database: name)
    }

    /// Runs SQL through psql and returns its unaligned output.
    @discardableResult
    public func psql(_ sql: String, database: String) async throws -> String {
        try await asServerUser("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-At", "-q", "-c", sql])
    }

    @discardableResult
    private func asServerUser(_ program: String, _ arguments: [String]) async throws -> String {
        let executable =
            FileManager.default.isExecutableFile(atPath: binaries + "/" + program)
            ? binaries + "/" + program : (Processes.find(program) ?? program)
        if Processes.isRoot {
            return try await Processes.run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        }
        return try await Processes.run(executable, arguments)
    }

    private func commandLine(_ program: String, _ arguments: [String]) -> String {
        let quoted = ([binaries + "/" + program] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return Processes.isRoot ? "/usr/sbin/runuser -u postgres -- \(quoted)" : quoted
    }

    private static func postgresDirectories() -> [String] {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "\(root)/\($0)/bin" }
            + ["/opt/homebrew/bin", "/usr/local/opt/postgresql/bin"]
    }
}

/// The servers a test run shares: started once, on first use, stopped when the test process ends.
public enum TestServers {
    private static let sharedRedis = Task { try await RedisServer.start() }
    private static let sharedPostgres = Task { try await PostgresServer.start() }

    public static func redis() async throws -> RedisServer {
        try await sharedRedis.value
    }

    public static func postgres() async throws -> PostgresServer {
        try await sharedPostgres.value
    }
}
