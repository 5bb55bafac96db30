import Foundation
@testable import Redis
import Synchronization
import TestSupport
import Testing

@testable import Platform

@Suite struct RedisClientTests {
    @Test func commandsAndPipelines() async throws {
        let redis = try await sharedRedisClient()
        let key = uniqueKey()
        #expect(try await redis.send("SET", key, "héllo") == .status("OK"))
        #expect(try await redis.send("GET", key).string == "héllo")
        #expect(try await redis.send("GET", uniqueKey()) == .null)

        let counter = uniqueKey()
        let replies = try await redis.pipeline([
            RedisCommand("INCR", counter), RedisCommand("INCRBY", counter, "41"), RedisCommand("LPUSH", key, "x"),
            RedisCommand("GET", counter),
        ])
        #expect(replies.count == 4)
        #expect(replies[0] == .integer(1))
        #expect(replies[1] == .integer(42))
        // A wrong-type error is returned in place; the rest of the pipeline still ran.
        guard case .error(let message) = replies[2] else {
            Issue.record("expected an error reply, got \(replies[2])")
            return
        }
        #expect(message.hasPrefix("WRONGTYPE"))
        #expect(replies[3].int == 42)
    }

    @Test func binarySafeArguments() async throws {
        let redis = try await sharedRedisClient()
        let key = uniqueKey()
        let bytes: [UInt8] = [0, 1, 2, 255, 13, 10, 0]
        try await redis.send(RedisCommand(bytes: [Array("SET".utf8), Array(key.utf8), bytes]))
        #expect(try await redis.send("GET", key) == .bulk(bytes))
    }

    @Test func errorReplyThrowsTypedError() async throws {
        let redis = try await sharedRedisClient()
        await #expect(throws: RedisError.self) { try await redis.send("NOSUCHCOMMAND") }
        do {
            try await redis.send("INCR", "\(uniqueKey())", "extra")
        } catch {
            guard case .server(let message) = error else { Issue.record("unexpected \(error)"); return }
            #expect(message.contains("wrong number of arguments"))
        }
    }

    @Test func scriptsSurviveScriptFlush() async throws {
        // Its own server: SCRIPT FLUSH on the shared one would race with other tests' scripts.
        let server = try await RedisServer.start()
        defer { Task { try? await server.stop() } }
        let redis = RedisClient(settings: try RedisSettings(url: server.url), logger: quietLogger)
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        let key = uniqueKey()
        #expect(try await redis.evaluate(script, keys: [key], arguments: ["5"]) == .integer(5))
        // Now cached by SHA-1: EVALSHA works directly.
        #expect(try await redis.send(RedisCommand("EVALSHA", script.sha1, "1", key, "1")) == .integer(6))
        try await redis.send("SCRIPT", "FLUSH")
        await #expect(throws: RedisError.self) { try await redis.send(RedisCommand("EVALSHA", script.sha1, "1", key, "1")) }
        // The client reloads it transparently.
        #expect(try await redis.evaluate(script, keys: [key], arguments: ["10"]) == .integer(16))
        #expect(try await redis.evaluate(script, keys: [key], arguments: ["1"]) == .integer(17))
    }

    @Test func sha1MatchesRedis() async throws {
        let redis = try await sharedRedisClient()
        let script = RedisScript("return 1 + 1")
        #expect(try await redis.send("SCRIPT", "LOAD", script.source).string == script.sha1)
    }

    @Test func concurrentCallsArePipelinedOnOneConnection() async throws {
        let server = try await RedisServer.start()
        defer { Task { try? await server.stop() } }
        let redis = RedisClient(settings: try RedisSettings(url: server.url), logger: quietLogger)
        let key = uniqueKey()
        let before = try await connectionsReceived(redis)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<500 {
                group.addTask { try await redis.send("INCR", key) }
            }
            try await group.waitForAll()
        }
        #expect(try await redis.send("GET", key).int == 500)
        // 500 concurrent commands and not one new connection.
        #expect(try await connectionsReceived(redis) == before)
    }

    private func connectionsReceived(_ redis: RedisClient) async throws -> Int? {
        try await infoField(redis, "stats", "total_connections_received")
    }

    /// A number from `INFO section`, such as `blocked_clients`.
    private func infoField(_ redis: RedisClient, _ section: String, _ field: String) async throws -> Int? {
        let info = try await redis.send("INFO", section).string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix(field + ":") }
        return line.flatMap { Int($0.split(separator: ":")[1]) }
    }

    @Test func blockingCommandsUseASmallPoolOfTheirOwn() async throws {
        // Its own server: `blocked_clients` counts every blocked client, and the usage drains of other
        // tests block on the shared one.
        let server = try await RedisServer.start()
        defer { Task { try? await server.stop() } }
        var options = RedisClient.Options()
        options.maximumConnections = 3
        // The dedicated connections read with this as their socket timeout: it must outlast the readers'
        // 60 s block, so that only the entry written below releases them.
        options.commandTimeout = .seconds(120)
        let redis = RedisClient(settings: try RedisSettings(url: server.url), options: options, logger: quietLogger)
        let stream = uniqueKey("stream")
        let before = try #require(try await connectionsReceived(redis))
        // Six readers of a stream that does not exist yet, on a pool of three: three block, the other
        // three wait for a connection. Judged by what Redis reports and by order, not by a wall-clock
        // bound, which a loaded machine can stretch.
        let finished = ReadersFinished()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    // From "0-0": a reader that gets its connection after the entry was written returns
                    // at once with it, rather than blocking for a newer one.
                    let reply = try await redis.sendOnDedicatedConnection(
                        RedisCommand("XREAD", "BLOCK", "60000", "STREAMS", stream, "0-0"))
                    finished.count.withLock { $0 += 1 }
                    #expect(reply != .null, "released by the entry, not by the end of its block")
                }
            }
            await #expect(throws: Never.self) {
                try await Processes.wait(for: .seconds(60), what: "three readers to block") {
                    (try? await infoField(redis, "clients", "blocked_clients")) == 3
                }
            }
            // An ordinary command answers while every reader is still blocked: it is not queued behind one.
            #expect(try await redis.send("PING") == .status("PONG"))
            #expect(finished.count.withLock { $0 } == 0, "the ping came back after a blocked reader")
            // Still three, not six: the pool is bounded.
            #expect(try await infoField(redis, "clients", "blocked_clients") == 3)
            // The entry releases the blocked readers, whatever was found above; the others then read it.
            try await redis.send("XADD", stream, "*", "field", "value")
            try await group.waitForAll()
        }
        #expect(finished.count.withLock { $0 } == 6)
        // Three connections served the six readers, besides the ordinary one already counted.
        #expect(try await connectionsReceived(redis) == before + 3)
    }

    @Test func commandTimeoutIsTypedAndTheClientRecovers() async throws {
        let server = try await RedisServer.start()
        defer { Task { try? await server.stop() } }
        var options = RedisClient.Options()
        options.commandTimeout = .milliseconds(200)
        let redis = RedisClient(settings: try RedisSettings(url: server.url), options: options, logger: quietLogger)
        let start = ContinuousClock.now
        await #expect(throws: RedisError.timeout) { try await redis.send("DEBUG", "SLEEP", "30") }
        // Without the timeout the call would take 30 s; the bound leaves a loaded machine 20 s.
        #expect(ContinuousClock.now - start < .seconds(20))
        // The timed-out connection was dropped; a new one answers once Redis is free again. Until its
        // sleep ends (and a loaded machine gets it going) every command times out too, so the client is
        // asked until it answers, generously bounded; a client that stayed broken never would.
        await #expect(throws: Never.self) {
            try await Processes.wait(for: .seconds(90), what: "the client to answer again after a timeout") {
                (try? await redis.send("PING")) == .status("PONG")
            }
        }
    }

    @Test func survivesARedisRestart() async throws {
        let server = try await RedisServer.start()
        defer { Task { try? await server.stop() } }
        // Timeouts far longer than the bound below: a failure within it was noticed, not waited out.
        var options = RedisClient.Options()
        options.connectTimeout = .seconds(20)
        options.commandTimeout = .seconds(20)
        let redis = RedisClient(settings: try RedisSettings(url: server.url), options: options, logger: quietLogger)
        let key = uniqueKey()
        // Several pooled connections, all idle when Redis goes away.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { try await redis.send("INCR", key) } }
            try await group.waitForAll()
        }
        #expect(try await redis.send("GET", key).int == 8)

        try await server.stop()
        // While it is down: a fast, typed failure, not a hang.
        let start = ContinuousClock.now
        do {
            try await redis.send("PING")
            Issue.record("PING succeeded with Redis stopped")
        } catch {
            #expect(error.isUnavailable)
        }
        #expect(ContinuousClock.now - start < .seconds(10))

        try await server.start()
        // Every stale connection is noticed and replaced: no command fails after the restart.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 { group.addTask { try await redis.send("INCR", key) } }
            try await group.waitForAll()
        }
        #expect(try await redis.send("GET", key).int == 16)
        #expect(await redis.ping())
    }

    @Test func connectionRefusedIsFastAndTyped() async throws {
        let port = try await { () async throws -> Int in
            let server = try await RedisServer.start()
            try await server.stop()
            return server.port
        }()
        let redis = RedisClient(settings: RedisSettings(host: "127.0.0.1", port: port), logger: quietLogger)
        do {
            try await redis.send("PING")
            Issue.record("expected a failure")
        } catch {
            guard case .connectionFailed = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(await redis.ping() == false)
    }
}

/// How many of a test's concurrent readers have come back.
private final class ReadersFinished: Sendable {
    let count = Mutex(0)
}
