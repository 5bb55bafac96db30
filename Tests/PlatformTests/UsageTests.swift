@testable import Accounts
import Database
import Foundation
import Hummingbird
import HummingbirdTesting
import Redis
import TestSupport
import Testing

@testable import Platform

/// Usage events reach PostgreSQL exactly once: through the stream, across outages and dead drainers.
@Suite struct UsageTests {
    /// Polls PostgreSQL until it holds `expected` events for the account (generously bounded: the drain
    /// runs beside every other suite).
    func waitForEvents(_ expected: Int, account: String, postgres: PostgresServer, database: String, timeout: Duration = .seconds(60))
        async throws -> [String: Int]
    {
        var counts: [String: Int] = [:]
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let output = try await postgres.psql(
                "SELECT e.request_id, count(*) OVER (PARTITION BY e.request_id) FROM usage_events e JOIN accounts a ON a.id = e.account_id WHERE a.name = '\(account)'",
                database: database)
            counts = [:]
            for line in output.split(separator: "\n") {
                let parts = line.split(separator: "|")
                if parts.count == 2 { counts[String(parts[0])] = Int(parts[1]) }
            }
            if counts.count >= expected { return counts }
            try await Task.sleep(for: .milliseconds(200))
        }
        return counts
    }

    @Test func everyAuthenticatedAnswerIsRecordedOnceAndReported() async throws {
        let app = try await TestApp.shared()
        let account = "billing-\(UUID().uuidString.prefix(6))"
        let database = app.databaseSettings.database
        let key = try await app.createKey(account: account).secret
        try await app.test { client in
            var ids: [String] = []
            for path in ["/v1/keys", "/v1/keys", "/v1/nothing"] {
                let response = try await client.execute(uri: path, method: .get, headers: [.xAPIKey: key])
                ids.append(response.headers[.requestID] ?? "")
            }
            let parse = try await client.execute(
                uri: "/v1/parse", method: .post, headers: [.xAPIKey: key, .contentType: "application/json"],
                body: ByteBuffer(string: #"{"query":"x"}"#))
            ids.append(parse.headers[.requestID] ?? "")
            // Unauthenticated requests are not billed.
            _ = try await client.execute(uri: "/v1/keys", method: .get)
            let postgres = try await TestServers.postgres()
            let counts = try await waitForEvents(4, account: account, postgres: postgres, database: database)
            #expect(Set(counts.keys) == Set(ids))
            #expect(counts.values.allSatisfy { $0 == 1 })

            let byStatus = try await client.execute(uri: "/v1/usage?group_by=status", method: .get, headers: [.xAPIKey: key])
            #expect(byStatus.status == .ok)
            let report = try byStatus.json()
            let rows = (report["rows"] as? [[String: Any]]) ?? []
            let requests = Dictionary(uniqueKeysWithValues: rows.map { ($0["group"] as? String ?? "", $0["requests"] as? Int ?? 0) })
            #expect(requests == ["200": 3, "404": 1])
            #expect((report["total"] as? [String: Any])?["cost"] as? Int == 1, "only parse costs 1 by default")

            let byEndpoint = try await client.execute(
                uri: "/v1/usage?group_by=endpoint&from=2020-01-01&to=2099-12-31", method: .get, headers: [.xAPIKey: key])
            #expect(byEndpoint.status == .unprocessableContent, "more than 366 days")
            let today = Date().formatted(.iso8601.year().month().day())
            let endpoint = try await client.execute(
                uri: "/v1/usage?group_by=endpoint&from=\(today)&to=\(today)", method: .get, headers: [.xAPIKey: key])
            let endpointRows = (try endpoint.json()["rows"] as? [[String: Any]]) ?? []
            #expect(endpointRows.first { $0["group"] as? String == "/v1/keys" }?["requests"] as? Int == 2)
        }
    }

    /// What openapi.yaml's pattern refuses is a 400; what fits it but names no real day, or a period
    /// that does not run forwards, is a 422.
    @Test(arguments: [
        ("from=yesterday", 400), ("to=2026-11-24T25:00:00Z", 400), ("from=", 400), ("from=2026-11-24t10:00:00z", 400),
        ("from=%D9%A2%D9%A0%D9%A2%D9%A6-11-24", 400), ("from=2026-13-01", 422), ("from=2026-02-30", 422),
        ("from=2026-11-25&to=2026-11-24", 422), ("from=2020-01-01&to=2099-12-31", 422),
    ])
    func badDatesAreRefused(query: String, status: Int) async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        try await app.test { client in
            let response = try await client.execute(uri: "/v1/usage?\(query)", method: .get, headers: [.xAPIKey: key])
            #expect(response.status.code == status, "\(query): \(response.text)")
            #expect(try ErrorBody(response).error.code == "INVALID_REQUEST")
        }
    }

    @Test func postgresOutageLosesNothing() async throws {
        let postgres = try await PostgresServer.start()
        var app = try await TestApp.shared()
        let url = try await postgres.createDatabase()
        app.databaseSettings = try DatabaseSettings(url: url)
        let account = "outage"
        let key = try await app.createKey(account: account).secret
        let database = app.databaseSettings.database
        try await app.test { client in
            var ids: [String] = []
            // The key is verified (and cached) while PostgreSQL is up.
            ids.append(try await client.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: key]).headers[.requestID] ?? "")
            try await postgres.stop()
            for _ in 0..<20 {
                let response = try await client.execute(uri: "/v1/parse", method: .post, headers: [.xAPIKey: key])
                ids.append(response.headers[.requestID] ?? "")
            }
            try await Task.sleep(for: .seconds(3))
            try await postgres.start()
            let counts = try await waitForEvents(ids.count, account: account, postgres: postgres, database: database)
            #expect(Set(counts.keys) == Set(ids))
            #expect(counts.values.allSatisfy { $0 == 1 })
        }
        try await postgres.stop()
    }

    /// Runs `body` against a Redis of its own and a fresh database, with a key of `account` and the usage
    /// store and recorder over them. Returns `usage_events`' rows and distinct request ids afterwards, as
    /// psql prints them ("30|30").
    func withUsageStores(
        account: String, _ body: @escaping @Sendable (RedisClient, UsageStore, UsageRecorder, KeyRecord) async throws -> Void
    ) async throws -> String {
        let redisServer = try await RedisServer.start()
        let redis = RedisClient(settings: try RedisSettings(url: redisServer.url), logger: quietLogger)
        let settings = try await freshDatabaseSettings()
        let app = TestApp(redisSettings: redis.settings, databaseSettings: settings)
        let key = try await app.createKey(account: account).record
        try await Database.withRunning(settings: settings, logger: quietLogger) { database in
            let store = UsageStore(database: database)
            try await body(redis, store, UsageRecorder(redis: redis, store: store, logger: quietLogger), key)
        }
        let postgres = try await TestServers.postgres()
        let count = try await postgres.psql("SELECT count(*), count(DISTINCT request_id) FROM usage_events", database: settings.database)
        try await redisServer.stop()
        return count.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Today's usage of `key`'s account by endpoint, from the rollup.
    func todayByEndpoint(_ store: UsageStore, key: KeyRecord) async throws -> [UsageStore.ReportRow] {
        let today = UsageRange.startOfDay(Date())
        return try await store.report(accountID: key.accountID, from: today, to: today.addingTimeInterval(86_400), groupBy: .endpoint)
    }

    /// `count` successful `POST /v1/parse` events of `key`, with request ids `<prefix>-<n>`.
    func parseEvents(_ prefix: String, count: Int, key: KeyRecord, cost: Int = 1) -> [UsageEvent] {
        (0..<count).map { index in
            UsageEvent(
                requestID: "\(prefix)-\(index)", accountID: key.accountID, keyID: key.id, route: "/v1/parse", method: "POST", status: 200,
                cost: cost, latencyMilliseconds: 1.5, occurredAt: Date(), cacheHit: false)
        }
    }

    @Test func drainerKilledBetweenInsertAndAckIsClaimedWithoutDuplicates() async throws {
        let count = try await withUsageStores(account: "crash") { redis, store, recorder, key in
            for event in parseEvents("crash", count: 30, key: key) { await recorder.record(event) }

            struct Killed: Error {}
            var options = UsageDrain.Options()
            options.claimAfter = .milliseconds(300)
            let doomed = UsageDrain(redis: redis, store: store, recorder: nil, consumer: "doomed", options: options, logger: quietLogger) {
                _ in
                throw Killed()
            }
            try await doomed.ensureGroup()
            // It reads and inserts, then dies before acknowledging.
            await #expect(throws: Killed.self) { try await doomed.drainOnce(id: ">") }
            let pending = try await redis.send("XPENDING", UsageRecorder.defaultStream, UsageDrain.group)
            #expect(pending.array?.first?.int == 30)

            try await Task.sleep(for: .milliseconds(400))
            let survivor = UsageDrain(
                redis: redis, store: store, recorder: nil, consumer: "survivor", options: options, logger: quietLogger)
            try await survivor.claimAbandoned()
            let after = try await redis.send("XPENDING", UsageRecorder.defaultStream, UsageDrain.group)
            #expect(after.array?.first?.int == 0)
            #expect(
                try await todayByEndpoint(store, key: key) == [.init(group: "/v1/parse", requests: 30, cost: 30)],
                "the rollup counts each event once")
        }
        #expect(count == "30|30")
    }

    /// An event can reach PostgreSQL before its first delivery: the recorder writes it there itself
    /// when Redis's reply to the append is lost, though the append went through. The drain's plain
    /// insert of new entries must then fall back, not fail or count it twice.
    @Test func firstDeliveryOfAnEventAlreadyStoredCountsItOnce() async throws {
        let count = try await withUsageStores(account: "twice") { redis, store, recorder, key in
            let events = parseEvents("twice", count: 20, key: key, cost: 2)
            for event in events { await recorder.record(event) }
            #expect(try await store.insert([events[7]]) == 1)
            let drain = UsageDrain(redis: redis, store: store, recorder: nil, consumer: "first", logger: quietLogger)
            try await drain.ensureGroup()
            #expect(try await drain.drainOnce(id: ">") == 20)
            // A batch of new events only goes in whole with the plain insert.
            #expect(try await store.insert(Array(events[10...]), firstDelivery: true) == 0)
            #expect(try await todayByEndpoint(store, key: key) == [.init(group: "/v1/parse", requests: 20, cost: 40)])
            let pending = try await redis.send("XPENDING", UsageRecorder.defaultStream, UsageDrain.group)
            #expect(pending.array?.first?.int == 0)
        }
        #expect(count == "20|20")
    }

    @Test func redisDownWritesStraightToPostgres() async throws {
        let redisServer = try await RedisServer.start()
        let redis = RedisClient(settings: try RedisSettings(url: redisServer.url), logger: quietLogger)
        try await redisServer.stop()
        let settings = try await freshDatabaseSettings()
        let app = TestApp(redisSettings: redis.settings, databaseSettings: settings)
        let key = try await app.createKey(account: "noredis").record
        try await Database.withRunning(settings: settings, logger: quietLogger) { database in
            let recorder = UsageRecorder(redis: redis, store: UsageStore(database: database), logger: quietLogger)
            await recorder.record(
                UsageEvent(
                    requestID: "direct-1", accountID: key.accountID, keyID: key.id, route: "/v1/keys", method: "GET", status: 200, cost: 0,
                    latencyMilliseconds: 1, occurredAt: Date(), cacheHit: false))
            #expect(recorder.backlogCount == 0)
        }
        let postgres = try await TestServers.postgres()
        #expect(try await postgres.psql("SELECT count(*) FROM usage_events", database: settings.database).hasPrefix("1"))
    }
}
