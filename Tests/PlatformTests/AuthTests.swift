@testable import Accounts
import Database
import Foundation
import Hummingbird
import HummingbirdTesting
import Redis
import TestSupport
import Testing

@testable import Platform

@Suite struct AuthTests {
    @Test func keysAreRequiredOnV1Routes() async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        try await app.test { client in
            let missing = try await client.execute(uri: "/v1/keys", method: .get)
            #expect(missing.status == .unauthorized)
            #expect(try ErrorBody(missing).error.code == "UNAUTHORIZED")
            let malformed = try await client.execute(uri: "/v1/keys", method: .get, headers: [.authorization: "Bearer nope"])
            #expect(malformed.status == .unauthorized)
            let unknown = try await client.execute(
                uri: "/v1/keys", method: .get, headers: [.authorization: "Bearer " + APIKeyFormat.generate()])
            #expect(unknown.status == .unauthorized)
            #expect(try ErrorBody(unknown).error.message == "The API key is not valid.")
            let bearer = try await client.execute(uri: "/v1/keys", method: .get, headers: [.authorization: "Bearer \(key)"])
            #expect(bearer.status == .ok)
            let header = try await client.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: key])
            #expect(header.status == .ok)
            // Public routes stay public.
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
        }
    }

    @Test func authorizationHeaderForms() async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        try await app.test { client in
            // The scheme in any case, any number of spaces, padding around the key.
            for accepted in ["Bearer \(key)", "bearer \(key)", "BEARER    \(key)", "  Bearer \(key) \t", "bEaReR \(key)"] {
                let response = try await client.execute(uri: "/v1/keys", method: .get, headers: [.authorization: accepted])
                #expect(response.status == .ok, "\(accepted)")
            }
            for refused in [
                "Bearer", "Bearer   ", "Bearer\t\(key)", "Basic \(key)", "Bearerx \(key)", "Bear \(key)", "\(key)", "Bearer \(key) x",
            ] {
                let response = try await client.execute(uri: "/v1/keys", method: .get, headers: [.authorization: refused])
                #expect(response.status == .unauthorized, "\(refused)")
                #expect(try ErrorBody(response).error.code == "UNAUTHORIZED")
            }
        }
    }

    @Test func adminRoutesNeedAnAdminKey() async throws {
        let app = try await TestApp.shared()
        let user = try await app.createKey(account: "customer").secret
        let admin = try await app.createKey(account: "ops", tier: .enterprise, admin: true).secret
        try await app.test { client in
            let refused = try await client.execute(uri: "/v1/admin/usage?account=customer", method: .get, headers: [.xAPIKey: user])
            #expect(refused.status == .forbidden)
            #expect(try ErrorBody(refused).error.code == "FORBIDDEN")
            let allowed = try await client.execute(uri: "/v1/admin/usage?account=customer", method: .get, headers: [.xAPIKey: admin])
            #expect(allowed.status == .ok)
            #expect(try allowed.json()["account"] as? String == "customer")
            let unknown = try await client.execute(uri: "/v1/admin/usage?account=nobody", method: .get, headers: [.xAPIKey: admin])
            #expect(unknown.status == .notFound)
        }
    }

    @Test func keysOverHTTPNeverShowSecretsTwice() async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey(tier: .pro).secret
        try await app.test { client in
            let created = try await client.execute(
                uri: "/v1/keys", method: .post, headers: [.xAPIKey: key, .contentType: "application/json"],
                body: ByteBuffer(string: #"{"tier": "free", "name": "ci"}"#))
            #expect(created.status == .created)
            let secret = try #require(try created.json()["key"] as? String)
            #expect(APIKeyFormat.isWellFormed(secret))
            let listed = try await client.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: key])
            #expect(!listed.text.contains(secret) && !listed.text.contains(key))
            let keys = try #require(try listed.json()["keys"] as? [[String: Any]])
            #expect(keys.count == 2)
            // Nullable fields are there, as null (openapi.yaml requires them).
            for field in ["last_used_at", "revoked_at", "expires_at", "name"] {
                #expect(keys.contains { $0[field] is NSNull }, "\(field) is left out or never null")
            }
            #expect(keys.allSatisfy { $0.keys.contains("revoked_at") && $0.keys.contains("expires_at") })
            // A pro key cannot mint enterprise keys, nor keys for other accounts.
            let escalation = try await client.execute(
                uri: "/v1/keys", method: .post, headers: [.xAPIKey: key, .contentType: "application/json"],
                body: ByteBuffer(string: #"{"tier": "enterprise"}"#))
            #expect(escalation.status == .forbidden)
            let foreign = try await client.execute(
                uri: "/v1/keys", method: .post, headers: [.xAPIKey: key, .contentType: "application/json"],
                body: ByteBuffer(string: #"{"tier": "free", "account": "someone-else"}"#))
            #expect(foreign.status == .forbidden)
        }
    }

    /// Account and key names of the wrong shape are refused with 400, as openapi.yaml's patterns say; one
    /// of the right shape goes through.
    @Test(arguments: [
        #"{"tier": "free", "account": ""}"#, #"{"tier": "free", "account": "two words"}"#,
        #"{"tier": "free", "account": "\#(String(repeating: "a", count: 65))"}"#, #"{"tier": "free", "name": "a\u0000b"}"#,
        #"{"tier": "free", "name": "line\nbreak"}"#, #"{"tier": "free", "name": "\#(String(repeating: "n", count: 201))"}"#,
    ])
    func namesOfTheWrongShapeAre400(body: String) async throws {
        let app = try await TestApp.shared()
        let admin = try await app.createKey(tier: .enterprise, admin: true).secret
        try await app.test { client in
            let headers: HTTPFields = [.xAPIKey: admin, .contentType: "application/json"]
            let refused = try await client.execute(uri: "/v1/keys", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(refused.status == .badRequest, "\(body): \(refused.status) \(refused.text)")
            #expect(try ErrorBody(refused).error.code == "INVALID_REQUEST")
            let fine = try await client.execute(
                uri: "/v1/keys", method: .post, headers: headers,
                body: ByteBuffer(
                    string:
                        #"{"tier": "free", "account": "a.b-c_\#(String(repeating: "d", count: 58))", "name": "\#(String(repeating: "é", count: 200))"}"#
                ))
            #expect(fine.status == .created, "\(fine.text)")
        }
    }

    /// The revocation reaches the other instance through Redis Pub/Sub: it refuses the key while its
    /// cached entry for it is still fresh, so no expiry of that entry can be what refused it.
    @Test func revokedKeyIsRefusedOnAnotherInstanceBeforeItsCacheExpires() async throws {
        // Its own Redis, so that the instances listening for key changes are these two alone: every test
        // app on the shared one listens too.
        let redisServer = try await RedisServer.start()
        defer { Task { try? await redisServer.stop() } }
        var configured = try await TestApp.shared()
        configured.redisSettings = try RedisSettings(url: redisServer.url)
        let app = configured
        let redis = RedisClient(settings: app.redisSettings, logger: quietLogger)
        let victim = try await app.createKey()
        let owner = victim.secret
        let secondDependencies = app.dependencies()
        try await app.test { first in
            try await app.test(dependencies: secondDependencies) { second in
                // Each instance subscribes on a thread of its own once it runs; a change published before
                // that would never reach it.
                try await Processes.wait(for: .seconds(60), what: "both instances to subscribe to key changes") {
                    (try? await redis.send("PUBSUB", "NUMSUB", KeyRevocations.channel))?.array?.last?.int == 2
                }
                // Both instances have verified (and cached) the key; the second's entry is fresh until at
                // least `expiry`.
                #expect(try await first.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: owner]).status == .ok)
                let expiry = ContinuousClock.now + secondDependencies.verifier.ttl
                #expect(try await second.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: owner]).status == .ok)
                let revoked = try await first.execute(uri: "/v1/keys/\(victim.record.id)", method: .delete, headers: [.xAPIKey: owner])
                #expect(revoked.status == .noContent)
                try await Processes.wait(for: expiry - .now, what: "the revocation to reach the other instance") {
                    (try? await second.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: owner]).status) == .unauthorized
                }
                #expect(ContinuousClock.now < expiry, "refused only when the cached entry may have expired")
                let body = try ErrorBody(try await second.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: owner]))
                #expect(body.error.message == "The API key has been revoked.")
            }
        }
    }

    @Test func rotationKeepsTheOldKeyForItsGracePeriod() async throws {
        let app = try await TestApp.shared()
        let old = try await app.createKey()
        try await app.test { client in
            let rotatedAt = ContinuousClock.now
            let rotated = try await client.execute(
                uri: "/v1/keys/\(old.record.id)/rotate", method: .post, headers: [.xAPIKey: old.secret, .contentType: "application/json"],
                // Ten seconds, so the old key's checks fall inside the grace period even on a loaded machine.
                body: ByteBuffer(string: #"{"grace_seconds": 10}"#))
            #expect(rotated.status == .created)
            let json = try rotated.json()
            let new = try #require(json["key"] as? String)
            #expect(json["old_key_expires_at"] is String)
            #expect(try await client.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: new]).status == .ok)
            let during = try await client.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: old.secret]).status
            // Judged only when the request surely fell inside the grace period: a machine stalled for
            // ten seconds tells nothing about the server.
            if ContinuousClock.now < rotatedAt + .seconds(10) { #expect(during == .ok) }
            try await Task.sleep(for: .milliseconds(10_500))
            let expired = try await client.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: old.secret])
            #expect(expired.status == .unauthorized)
            #expect(try ErrorBody(expired).error.message == "The API key has expired.")
            #expect(try await client.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: new]).status == .ok)
        }
    }

    @Test func bootstrapAdminKeyIsCreatedOnce() async throws {
        var app = try await TestApp.shared()
        let secret = APIKeyFormat.generate()
        app.adminKey = secret
        for _ in 0..<2 {
            try await app.test { client in
                let response = try await client.execute(uri: "/v1/admin/usage?account=admin", method: .get, headers: [.xAPIKey: secret])
                #expect(response.status == .ok)
            }
        }
        let keys = try await Database.withRunning(settings: app.databaseSettings, logger: quietLogger) { database in
            try await KeyStore(database: database).list(account: "admin")
        }
        #expect(keys.count == 1)
        #expect(keys.first?.isAdmin == true)
    }
}
