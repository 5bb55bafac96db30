@testable import Accounts
import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Redis
import Synchronization
import TestSupport
import Testing

@testable import Platform

@Suite struct RateLimitTests {
    func limiter(_ windows: [RateLimitPolicy.Window], redis: RedisClient? = nil, failure: RateLimitFailurePolicy = .local)
        async throws -> RateLimiter
    {
        let policy = RateLimitPolicy(tiers: [.free: windows, .pro: windows, .enterprise: []], costs: RateLimitPolicy.defaults.costs)
        let client: RedisClient
        if let redis { client = redis } else { client = try await sharedRedisClient() }
        return RateLimiter(redis: client, policy: policy, failurePolicy: failure, logger: quietLogger)
    }

    func allowed(_ outcome: RateLimiter.Outcome) -> Bool {
        if case .decided(let decision) = outcome { decision.allowed } else { false }
    }

    @Test func costsSpendEveryWindowAndARefusalSpendsNothing() async throws {
        let limiter = try await limiter([.init(seconds: 60, requests: 5), .init(seconds: 3600, requests: 8)])
        let key = "key_" + UUID().uuidString
        #expect(allowed(await limiter.check(keyID: key, tier: .free, cost: 2)))
        #expect(allowed(await limiter.check(keyID: key, tier: .free, cost: 2)))
        // 4 of 5 spent in the minute: a cost of 2 is refused whole…
        guard case .decided(let refused) = await limiter.check(keyID: key, tier: .free, cost: 2) else {
            Issue.record("no decision")
            return
        }
        #expect(!refused.allowed)
        #expect(refused.violated == .init(seconds: 60, requests: 5))
        #expect(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 12)
        #expect(refused.headers[.retryAfter] != nil)
        // …and spent nothing: the last unit of the minute is still there.
        guard case .decided(let last) = await limiter.check(keyID: key, tier: .free, cost: 1) else { return }
        #expect(last.allowed)
        #expect(last.windows.map(\.remaining) == [0, 3])
        #expect(last.headers[.rateLimitPolicy] == #""minute";q=5;w=60, "hour";q=8;w=3600"#)
        #expect(last.headers[.rateLimit]?.hasPrefix(#""minute";r=0;t="#) == true)
        #expect(last.headers[.xRateLimitRemaining] == "0")
    }

    /// One hash per key with a field per window, expiring when the longest window is whole again; a
    /// request that costs nothing on an idle key leaves no state at all.
    @Test func stateIsOneExpiringHashPerKey() async throws {
        let redis = try await sharedRedisClient()
        let limiter = try await limiter([.init(seconds: 60, requests: 5), .init(seconds: 3600, requests: 8)], redis: redis)
        let key = "key_" + UUID().uuidString
        #expect(allowed(await limiter.check(keyID: key, tier: .free, cost: 0)))
        #expect(try await redis.send("EXISTS", "rl:{\(key)}") == .integer(0))
        #expect(allowed(await limiter.check(keyID: key, tier: .free, cost: 1)))
        let fields = try await redis.send("HKEYS", "rl:{\(key)}").array?.compactMap(\.string)
        #expect(fields.map(Set.init) == ["60", "3600"])
        // The hour window's TAT is 450 s ahead (3600 / 8): the key lives that long, plus a second.
        let ttl = try await redis.send("PTTL", "rl:{\(key)}").int ?? -1
        #expect(ttl > 440_000 && ttl <= 451_000, "PTTL \(ttl)")
    }

    @Test func theLongerWindowRefusesToo() async throws {
        let limiter = try await limiter([.init(seconds: 1, requests: 100), .init(seconds: 3600, requests: 3)])
        let key = "key_" + UUID().uuidString
        for _ in 0..<3 { #expect(allowed(await limiter.check(keyID: key, tier: .free, cost: 1))) }
        guard case .decided(let refused) = await limiter.check(keyID: key, tier: .free, cost: 1) else { return }
        #expect(!refused.allowed)
        #expect(refused.violated?.seconds == 3600)
        #expect(refused.retryAfterSeconds > 1000)
    }

    @Test func unlimitedTierNeverTouchesRedis() async throws {
        let stopped = try await RedisServer.start()
        try await stopped.stop()
        let redis = RedisClient(settings: try RedisSettings(url: stopped.url), logger: quietLogger)
        let limiter = try await limiter([.init(seconds: 60, requests: 1)], redis: redis, failure: .closed)
        for _ in 0..<10 { #expect(allowed(await limiter.check(keyID: "k", tier: .enterprise, cost: 5))) }
    }

    @Test func scriptFlushIsRecoveredFrom() async throws {
        // Its own server: SCRIPT FLUSH on the shared one would race with other tests' scripts.
        let server = try await RedisServer.start()
        defer { Task { try? await server.stop() } }
        let redis = RedisClient(settings: try RedisSettings(url: server.url), logger: quietLogger)
        let limiter = try await limiter([.init(seconds: 3600, requests: 3)], redis: redis)
        let key = "key_" + UUID().uuidString
        #expect(allowed(await limiter.check(keyID: key, tier: .free, cost: 1)))
        try await redis.send("SCRIPT", "FLUSH")
        #expect(allowed(await limiter.check(keyID: key, tier: .free, cost: 1)))
        #expect(allowed(await limiter.check(keyID: key, tier: .free, cost: 1)))
        #expect(!allowed(await limiter.check(keyID: key, tier: .free, cost: 1)))
    }

    @Test func redisDownFallsBackToLocalLimitsOrClosed() async throws {
        let server = try await RedisServer.start()
        let redis = RedisClient(settings: try RedisSettings(url: server.url), logger: quietLogger)
        let local = try await limiter([.init(seconds: 3600, requests: 2)], redis: redis, failure: .local)
        let closed = try await limiter([.init(seconds: 3600, requests: 2)], redis: redis, failure: .closed)
        try await server.stop()
        // local: the same windows, enforced in this process.
        #expect(allowed(await local.check(keyID: "a", tier: .free, cost: 1)))
        #expect(allowed(await local.check(keyID: "a", tier: .free, cost: 1)))
        #expect(!allowed(await local.check(keyID: "a", tier: .free, cost: 1)))
        // closed: refuse.
        #expect(await closed.check(keyID: "a", tier: .free, cost: 1) == .unavailable)
        try await server.start()
        #expect(allowed(await closed.check(keyID: "a", tier: .free, cost: 1)))
        try await server.stop()
    }

    @Test func closedPolicyAnswers503OverHTTP() async throws {
        let server = try await RedisServer.start()
        var app = try await TestApp.shared()
        app.redisSettings = try RedisSettings(url: server.url)
        app.failurePolicy = .closed
        let key = try await app.createKey().secret
        try await app.test { client in
            #expect(try await client.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: key]).status == .ok)
            try await server.stop()
            let refused = try await client.execute(uri: "/v1/parse", method: .post, headers: [.xAPIKey: key])
            #expect(refused.status == .serviceUnavailable)
            #expect(try ErrorBody(refused).error.code == "UNAVAILABLE")
        }
    }

    @Test func redisDownKeepsServingWithLocalLimitsAndUsage() async throws {
        let server = try await RedisServer.start()
        var app = try await TestApp.shared()
        app.redisSettings = try RedisSettings(url: server.url)
        app.policy = RateLimitPolicy(
            tiers: [.free: [.init(seconds: 3600, requests: 3)], .pro: [], .enterprise: []], costs: RateLimitPolicy.defaults.costs)
        let created = try await app.createKey()
        let key = created.secret
        let database = app.databaseSettings.database
        try await app.test { client in
            try await server.stop()
            // Authentication still works (cache and PostgreSQL), limits hold per process, usage goes to PostgreSQL.
            var statuses: [Int] = []
            for _ in 0..<4 {
                statuses.append(try await client.execute(uri: "/v1/parse", method: .post, headers: [.xAPIKey: key]).status.code)
            }
            #expect(statuses.filter { $0 == 429 }.count == 1)
            #expect(statuses.filter { $0 != 429 }.count == 3)
            let postgres = try await TestServers.postgres()
            let rows = try await postgres.psql("SELECT count(*) FROM usage_events", database: database)
            #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "4")
        }
    }

    @Test func exactlyTheLimitIsAdmittedAcrossTwoInstances() async throws {
        var app = try await TestApp.shared()
        app.policy = RateLimitPolicy(
            tiers: [.free: [.init(seconds: 3600, requests: 50)], .pro: [], .enterprise: []], costs: RateLimitPolicy.defaults.costs)
        let key = try await app.createKey().secret
        let app2 = app
        let statuses = Tally()
        let retryAfter = Tally()
        try await app2.test { first in
            try await app2.test { second in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<200 {
                        let client = UncheckedClient(index % 2 == 0 ? first : second)
                        group.addTask {
                            let response = try await client.value.execute(
                                uri: "/v1/parse", method: .post, headers: [.xAPIKey: key, .contentType: "application/json"],
                                body: ByteBuffer(string: #"{"query": "techno"}"#))
                            statuses.add(response.status.code)
                            if response.status == .tooManyRequests, response.headers[.retryAfter] != nil { retryAfter.add(0) }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
        let counts = statuses.counts
        #expect(counts[429] == 150)
        #expect(counts.filter { $0.key != 429 }.values.reduce(0, +) == 50)
        #expect(retryAfter.counts[0] == 150)
    }

    @Test func tiersFileOverridesDefaults() throws {
        let path = NSTemporaryDirectory() + "/tiers-\(UUID().uuidString).json"
        try Data(
            #"{"tiers": {"free": {"limits": [{"window_seconds": 10, "requests": 2}]}, "enterprise": {"limits": []}}, "costs": {"search": 3}}"#
                .utf8
        ).write(to: URL(fileURLWithPath: path))
        let policy = try RateLimitPolicy.load(path: path)
        #expect(policy.windows(for: .free) == [.init(seconds: 10, requests: 2)])
        #expect(policy.windows(for: .pro) == RateLimitPolicy.defaults.windows(for: .pro))
        #expect(policy.cost(of: "search") == 3)
        #expect(policy.cost(of: "analyze") == 2)
        try Data(#"{"tiers": {"gold": {"limits": []}}}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ConfigurationError.self) { try RateLimitPolicy.load(path: path) }
    }
}

/// The router test client is used from many tasks at once here; HummingbirdTesting's client is safe for
/// that (each request is independent), but its protocol is not marked `Sendable`.
struct UncheckedClient: @unchecked Sendable {
    let value: any TestClientProtocol
    init(_ value: any TestClientProtocol) { self.value = value }
}

/// Counts values from many tasks.
final class Tally: Sendable {
    private let storage = Mutex<[Int: Int]>([:])
    func add(_ value: Int) { storage.withLock { $0[value, default: 0] += 1 } }
    var counts: [Int: Int] { storage.withLock { $0 } }
}
