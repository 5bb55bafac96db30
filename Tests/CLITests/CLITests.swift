import Core
import Foundation
import Platform
import Synchronization
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The `musicforge` executable as a user runs it: exit statuses, stdout and stderr.
@Suite struct CLITests {
    @Test func missingSettingStopsTheStartWithOneSentence() async throws {
        let result = try await Musicforge.run(["serve"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 2)
        #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("DATABASE_URL is not set"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stdout.isEmpty)
    }

    @Test func malformedSettingIsNamed() async throws {
        let result = try await Musicforge.run(
            ["serve"], environment: ["DATABASE_URL": "postgres://u@127.0.0.1/db", "REDIS_URL": "redis://127.0.0.1", "PORT": "http"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("PORT is malformed"))
    }

    @Test func badUsageExitsTwo() async throws {
        let unknown = try await Musicforge.run(["frobnicate"])
        #expect(unknown.status == 2)
        let badTier = try await Musicforge.run(["keys", "create", "--account", "a", "--tier", "platinum"])
        #expect(badTier.status == 2)
        #expect(badTier.stderr.contains("platinum"))
    }

    @Test(arguments: ["serve", "migrate", "keys", "analyze", "parse", "search", "demo-library", "worker"])
    func everyCommandHasHelp(command: String) async throws {
        let result = try await Musicforge.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: musicforge \(command)"))
    }

    @Test func keysAreCreatedListedAndRevoked() async throws {
        let postgres = try await TestServers.postgres()
        let environment = ["DATABASE_URL": try await postgres.createDatabase()]
        let created = try await Musicforge.run(["keys", "create", "--account", "acme", "--tier", "pro"], environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        let key = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("mf_live_") && key.count == 48)
        #expect(created.stderr.contains("not shown again"))
        #expect(!created.stderr.contains(key))

        let listed = try await Musicforge.run(["keys", "list", "--json"], environment: environment)
        #expect(listed.status == 0)
        #expect(!listed.stdout.contains(key), "a key is never shown again")
        let record = try #require(
            try JSONSerialization.jsonObject(with: Data(listed.stdout.split(separator: "\n")[0].utf8)) as? [String: Any])
        #expect(record["account"] as? String == "acme")
        #expect(record["tier"] as? String == "pro")
        #expect(record["prefix"] as? String == String(key.prefix(12)))
        // Only the hash is stored.
        let stored = try await postgres.psql(
            "SELECT encode(hash, 'hex') FROM api_keys", database: URL(string: environment["DATABASE_URL"]!)!.lastPathComponent)
        #expect(!stored.contains(key))
        #expect(stored.trimmingCharacters(in: .whitespacesAndNewlines).count == 64)

        let id = try #require(record["id"] as? String)
        let revoked = try await Musicforge.run(["keys", "revoke", id], environment: environment)
        #expect(revoked.status == 0)
        let after = try await Musicforge.run(["keys", "list"], environment: environment)
        #expect(after.stdout.contains("revoked"))
        let missing = try await Musicforge.run(["keys", "revoke", "key_doesnotexist"], environment: environment)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("key_doesnotexist"))
    }

    @Test func servesUntilSIGTERMThenStopsCleanly() async throws {
        let postgres = try await TestServers.postgres()
        let redis = try await TestServers.redis()
        let server = try await Musicforge.serve(
            environment: ["DATABASE_URL": try await postgres.createDatabase(), "REDIS_URL": redis.url])
        defer { server.process.signal(SIGKILL) }
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(server.port)/health/ready")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).contains(#""redis":"ok""#))
        server.process.terminate()
        // Past the server's own drain bound (30 s): a clean stop, however long a loaded machine makes it.
        let status = try await withDeadline(.seconds(60)) { try await server.process.waitForExit() }
        #expect(status == 0)
        let log = try String(contentsOfFile: server.logFile, encoding: .utf8)
        // JSON lines only: the access log of the readiness request is one of them.
        let lines = log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.contains { $0["route"] as? String == "/health/ready" && $0["status"] as? Int == 200 })
    }
}

/// Runs the built `musicforge` binary.
enum Musicforge {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: String { BuiltProducts.musicforge }

    /// Runs the program to its end; `timeout` only catches a hang, so it is generous: the tests run beside
    /// every other suite on a two-core machine.
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(180)) async throws -> Result {
        let directory = try Processes.makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try SpawnedProcess(
            executable: executable, arguments: arguments, logFile: directory + "/stdout",
            environment: ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "error", "MUSICFORGE_MODELS": BuiltProducts.models].merging(environment) { $1 },
            stderrFile: directory + "/stderr")
        let status = try await withDeadline(timeout) { try await process.waitForExit() }
        return Result(
            status: status,
            stdout: (try? String(contentsOfFile: directory + "/stdout", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? "")
    }

    static func start(_ arguments: [String], environment: [String: String]) throws -> (process: SpawnedProcess, logFile: String) {
        let directory = try Processes.makeTemporaryDirectory("serve")
        let log = directory + "/server.log"
        let process = try SpawnedProcess(
            executable: executable, arguments: arguments, logFile: log,
            environment: ["PATH": "/usr/bin:/bin", "MUSICFORGE_MODELS": BuiltProducts.models].merging(environment) { $1 })
        return (process, log)
    }

    /// Starts `musicforge serve` on a free port and waits until it listens. The port can be taken by
    /// another test's server between choosing and binding it; this server then exits and another port is
    /// tried. Listening is judged by this server's own log line, not by something accepting connections
    /// on the port, which could be that other server.
    static func serve(environment: [String: String]) async throws -> (process: SpawnedProcess, logFile: String, port: Int) {
        var logFile = ""
        for _ in 1...5 {
            let port = try Processes.freePort()
            let server = try start(["serve", "--port", String(port)], environment: environment)
            logFile = server.logFile
            do {
                try await Processes.wait(for: .seconds(60), what: "the server to listen") {
                    let log = String(decoding: FileManager.default.contents(atPath: server.logFile) ?? Data(), as: UTF8.self)
                    return log.contains("Server started and listening") || !server.process.isRunning
                }
            } catch {
                server.process.signal(SIGKILL)
                throw error
            }
            if server.process.isRunning { return (server.process, server.logFile, port) }
        }
        throw HarnessError("musicforge serve did not start: see \(logFile)")
    }
}

/// SIGTERM in the middle of traffic: every request that got an answer has exactly one usage row.
@Suite struct GracefulShutdownTests {
    @Test func sigtermMidTrafficLosesNoUsage() async throws {
        let postgres = try await TestServers.postgres()
        let redis = try await TestServers.redis()
        let databaseURL = try await postgres.createDatabase()
        let database = URL(string: databaseURL)!.lastPathComponent
        // Its own stream is not needed: the database is fresh, and the stream only feeds this database's server.
        let environment = ["DATABASE_URL": databaseURL, "REDIS_URL": redis.url.replacingOccurrences(of: "/0", with: "/3")]
        let created = try await Musicforge.run(
            ["keys", "create", "--account", "shutdown", "--tier", "enterprise"], environment: environment)
        let key = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(created.status == 0)

        let server = try await Musicforge.serve(environment: environment)
        let port = server.port
        defer { server.process.signal(SIGKILL) }

        let answered = Answers()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/keys")!)
                    request.setValue(key, forHTTPHeaderField: "X-API-Key")
                    // Generous: a client that gave up on an answer the server then sent would count as
                    // an answer lost.
                    request.timeoutInterval = 60
                    for _ in 0..<400 {
                        guard let (_, response) = try? await URLSession.shared.data(for: request),
                            let http = response as? HTTPURLResponse, let id = http.value(forHTTPHeaderField: "X-Request-Id")
                        else { return }
                        answered.add(id)
                    }
                }
            }
            group.addTask {
                while answered.count < 150 { try await Task.sleep(for: .milliseconds(5)) }
                server.process.terminate()
            }
            try await group.waitForAll()
        }
        // Past the server's own drain bound (30 s): a clean stop, however long a loaded machine makes it.
        let status = try await withDeadline(.seconds(60)) { try await server.process.waitForExit() }
        #expect(status == 0)
        let ids = answered.ids
        #expect(ids.count >= 150)

        // No response lost: every request the server logged as answered reached its client.
        let log = try String(contentsOfFile: server.logFile, encoding: .utf8)
        let served = Set(
            log.split(separator: "\n").compactMap { line -> String? in
                guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    entry["route"] as? String == "/v1/keys"
                else { return nil }
                return entry["request_id"] as? String
            })
        #expect(served.count >= ids.count)
        #expect(served.isSubset(of: ids), "\(served.subtracting(ids).count) answers the server sent never reached a client")

        // What was appended to the stream but not yet drained is drained by the next instance.
        let next = try await Musicforge.serve(environment: environment)
        defer { next.process.terminate() }
        var stored: [String: Int] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let rows = try await postgres.psql("SELECT request_id, count(*) FROM usage_events GROUP BY request_id", database: database)
            stored = Dictionary(
                uniqueKeysWithValues: rows.split(separator: "\n").compactMap { line -> (String, Int)? in
                    let parts = line.split(separator: "|")
                    return parts.count == 2 ? (String(parts[0]), Int(parts[1]) ?? 0) : nil
                })
            if Set(stored.keys).isSuperset(of: ids) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(Set(stored.keys).isSuperset(of: ids), "\(ids.subtracting(stored.keys).count) answered requests have no usage row")
        #expect(stored.values.allSatisfy { $0 == 1 })
    }
}

/// Request ids of answered requests, from many tasks.
final class Answers: Sendable {
    private let storage = Mutex<Set<String>>([])
    func add(_ id: String) { storage.withLock { _ = $0.insert(id) } }
    var count: Int { storage.withLock { $0.count } }
    var ids: Set<String> { storage.withLock { $0 } }
}
