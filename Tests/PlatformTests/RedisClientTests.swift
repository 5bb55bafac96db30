import Foundation
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
        let info = try await redis.send("INFO", "stats").string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("total_connections_received:") }
        return line.flatMap { Int($0.split(separator: ":")[1]) }
    }

    @Test func blockingCommandsUseASmallPoolOfTheirOwn() async throws {
        var options = RedisClient.Options()
        options.maximumConnections = 3
        let redis = try await sharedRedisClient(options)
        let stream = uniqueKey("stream")
        // Six readers blocked for 1 s on a pool of three, while an ordinary command still answers before
        // any of them: were it queued behind a reader, it could not come back before that reader does.
        // (Judged by order, not by a wall-clock bound, which a loaded machine can stretch.)
        let start = ContinuousClock.now
        let finished = FinishTimes()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let reply = try await redis.sendOnDedicatedConnection(RedisCommand("XREAD", "BLOCK", "1000", "STREAMS", stream, "$"))
                    finished.times.withLock { $0.readers.append(.now) }
                    #expect(reply == .null)
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(50))
                #expect(try await redis.send("PING") == .status("PONG"))
                finished.times.withLock { $0.ping = .now }
            }
            try await group.waitForAll()
        }
        let (readers, ping) = finished.times.withLock { ($0.readers, $0.ping) }
        #expect(try #require(ping) < readers.min()!, "the ping came back after a blocked reader")
        // Two rounds of three: the pool is bounded.
        #expect(ContinuousClock.now - start >= .milliseconds(1990))
    }

    @Test func commandTimeoutIsTypedAndTheClientRecovers() async throws {
        let server = try await RedisServer.start()
        defer { Task { try? await server.stop() } }
        var options = RedisClient.Options()
        options.commandTimeout = .milliseconds(200)
        let redis = RedisClient(settings: try RedisSettings(url: server.url), options: options, logger: quietLogger)
        let start = ContinuousClock.now
        await #expect(throws: RedisError.timeout) { try await redis.send("DEBUG", "SLEEP", "10") }
        // Without the timeout the call would take 10 s; the bound leaves room for a loaded machine.
        #expect(ContinuousClock.now - start < .seconds(7))
        // The timed-out connection was dropped; a new one answers once Redis is free again. A loaded
        // machine may take longer than the 200 ms timeout to get Redis going again, so the client has a
        // few seconds to answer once; a client that stayed broken never would.
        try await Task.sleep(for: .seconds(10))
        var answered = false
        for _ in 0..<25 where !answered {
            answered = (try? await redis.send("PING")) == .status("PONG")
            if !answered { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(answered, "the client never answered again after a timeout")
    }

    @Test func survivesARedisRestart() async throws {
        let server = try await RedisServer.start()
        defer { Task { try? await server.stop() } }
        let redis = RedisClient(settings: try RedisSettings(url: server.url), logger: quietLogger)
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
        #expect(ContinuousClock.now - start < .seconds(2))

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

/// When each of a test's concurrent requests came back.
private final class FinishTimes: Sendable {
    let times = Mutex<(readers: [ContinuousClock.Instant], ping: ContinuousClock.Instant?)>(([], nil))
}
