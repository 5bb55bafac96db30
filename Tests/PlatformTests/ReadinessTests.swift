import Core
import Database
import Foundation
import Hummingbird
import HummingbirdTesting
import Redis
import TestSupport
import Testing

@testable import Platform

/// Readiness against servers that really go down: each test owns the server it stops.
@Suite struct ReadinessTests {
    @Test func redisDownIsNamed() async throws {
        let redis = try await RedisServer.start()
        var app = try await TestApp.shared()
        app.redisSettings = try RedisSettings(url: redis.url)
        try await app.test { client in
            #expect(try await client.execute(uri: "/health/ready", method: .get).status == .ok)
            try await redis.stop()
            let down = try await client.execute(uri: "/health/ready", method: .get)
            #expect(down.status == .serviceUnavailable)
            let body = try ErrorBody(down)
            #expect(body.error.code == "UNAVAILABLE")
            #expect(body.error.message == "Redis is not reachable.")
            #expect(body.error.details?["checks"] == ["postgres": "ok", "redis": "down"])
            #expect(down.headers[.retryAfter] != nil)
            // Liveness does not depend on Redis.
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
            try await redis.start()
            // Ready again once the client has reconnected: within a generous bound, not on the first try
            // (the first command after the restart may still meet the old, broken connection).
            try await Processes.wait(for: .seconds(60), what: "readiness after Redis is back") {
                (try? await client.execute(uri: "/health/ready", method: .get).status) == .ok
            }
        }
        try await redis.stop()
    }

    @Test func drainingAnswers503AtOnceWhileLivenessStaysUp() async throws {
        let app = try await TestApp.shared()
        try await app.test { client in
            #expect(try await client.execute(uri: "/health/ready", method: .get).status == .ok)
            app.drain.begin()
            let draining = try await client.execute(uri: "/health/ready", method: .get)
            #expect(draining.status == .serviceUnavailable)
            #expect(try ErrorBody(draining).error.message == "The server is shutting down.")
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
        }
    }

    @Test func postgresDownIsNamed() async throws {
        let postgres = try await PostgresServer.start()
        var app = try await TestApp.shared()
        app.databaseSettings = try DatabaseSettings(url: try await postgres.createDatabase())
        try await app.test { client in
            #expect(try await client.execute(uri: "/health/ready", method: .get).status == .ok)
            try await postgres.stop()
            let start = ContinuousClock.now
            let down = try await client.execute(uri: "/health/ready", method: .get)
            // Its check gives PostgreSQL 2 s (`Database.ping`) rather than waiting on the pool's attempts to
            // connect; the bound leaves a loaded machine the rest.
            #expect(ContinuousClock.now - start < .seconds(15), "readiness answers promptly while PostgreSQL is down")
            #expect(down.status == .serviceUnavailable)
            let body = try ErrorBody(down)
            #expect(body.error.message == "PostgreSQL is not reachable.")
            #expect(body.error.details?["checks"] == ["postgres": "down", "redis": "ok"])
            try await postgres.start()
            try await Processes.wait(for: .seconds(60), what: "readiness after PostgreSQL is back") {
                (try? await client.execute(uri: "/health/ready", method: .get).status) == .ok
            }
        }
        try await postgres.stop()
    }
}

/// A request that needs a store which is down is a 503 with `Retry-After`, never a 500 or a hang.
@Suite struct OutageTests {
    @Test func aRequestThatNeedsPostgreSQLWhileItIsDownIs503() async throws {
        let postgres = try await PostgresServer.start()
        var app = try await TestApp.shared()
        app.databaseSettings = try DatabaseSettings(url: try await postgres.createDatabase())
        let key = try await app.createKey(tier: .enterprise).secret
        try await app.test { client in
            // The key is verified (and cached) while PostgreSQL is up; listing keys reads PostgreSQL.
            #expect(try await client.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: key]).status == .ok)
            try await postgres.stop()
            for uri in ["/v1/keys", "/v1/usage"] {
                let response = try await withDeadline(.seconds(120)) {
                    try await client.execute(uri: uri, method: .get, headers: [.xAPIKey: key])
                }
                #expect(response.status == .serviceUnavailable, "\(uri): \(response.status) \(response.text)")
                #expect(try ErrorBody(response).error.code == "UNAVAILABLE")
                #expect(response.headers[.retryAfter] != nil)
            }
            try await postgres.start()
            try await Processes.wait(for: .seconds(60), what: "PostgreSQL to serve the keys again") {
                (try? await client.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: key]).status) == .ok
            }
        }
        try await postgres.stop()
    }
}
