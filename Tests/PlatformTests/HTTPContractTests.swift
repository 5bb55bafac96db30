import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import TestSupport
import Testing

@testable import Platform

@Suite struct HTTPContractTests {
    @Test func livenessAnswersWithARequestID() async throws {
        try await TestApp.shared().test { client in
            let response = try await client.execute(uri: "/health/live", method: .get)
            #expect(response.status == .ok)
            #expect(try response.json()["status"] as? String == "ok")
            let id = try #require(response.headers[.requestID])
            #expect(id.hasPrefix("req_") && id.count == 28)
        }
    }

    @Test func generatedRequestIDsAreUniqueAndInTimeOrder() {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let ids = (0..<1000).map { RequestIDMiddleware<BasicRequestContext>.generate(at: start + Double($0) / 500) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("req_") && $0.count == 28 && RequestIDMiddleware<BasicRequestContext>.isSane($0) })
        // A later millisecond sorts later, whatever the random half says.
        for (earlier, later) in zip(ids, ids.dropFirst(2)) { #expect(earlier < later) }
    }

    @Test func readinessWithBothServersUp() async throws {
        try await TestApp.shared().test { client in
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .ok)
            let checks = try response.json()["checks"] as? [String: String]
            #expect(checks == ["postgres": "ok", "redis": "ok"])
        }
    }

    @Test func unknownRouteIs404WithTheErrorBody() async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        try await app.test { client in
            let response = try await client.execute(
                uri: "/v1/nothing-here", method: .get, headers: [.requestID: "trace-123", .xAPIKey: key])
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let body = try ErrorBody(response)
            #expect(body.error.code == "NOT_FOUND")
            #expect(body.error.message.contains("/v1/nothing-here"))
            #expect(body.error.request_id == "trace-123")
            #expect(response.headers[.requestID] == "trace-123")
        }
    }

    @Test(arguments: [
        ("/v1/search", HTTPRequest.Method.delete, "GET, POST"),
        ("/health/live", .post, "GET"),
        ("/v1/keys/key_abc", .get, "DELETE"),
        ("/v1/parse", .get, "POST"),
    ])
    func wrongMethodIs405WithAllow(path: String, method: HTTPRequest.Method, allowed: String) async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        try await app.test { client in
            let response = try await client.execute(uri: path, method: method, headers: [.xAPIKey: key])
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow].map { Set($0.components(separatedBy: ", ")) } == Set(allowed.components(separatedBy: ", ")))
            let body = try ErrorBody(response)
            #expect(body.error.code == "METHOD_NOT_ALLOWED")
            #expect(body.error.request_id == response.headers[.requestID])
        }
    }

    @Test(arguments: ["{\"query\": ", "not json at all", "[1, 2, 3]", "{\"limit\": 5}"])
    func bodyThatDoesNotParseIs400(body: String) async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        try await app.test { client in
            let response = try await client.execute(
                uri: "/v1/parse", method: .post, headers: [.contentType: "application/json", .xAPIKey: key], body: ByteBuffer(string: body))
            #expect(response.status == .badRequest)
            let error = try ErrorBody(response)
            #expect(error.error.code == "INVALID_REQUEST")
            #expect(!error.error.message.isEmpty)
            #expect(!error.error.message.contains("Swift"))
        }
    }

    @Test func similarToAnUnknownTrackIs404WithTheErrorBody() async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        try await app.test { client in
            let response = try await client.execute(
                uri: "/v1/similar", method: .post, headers: [.contentType: "application/json", .xAPIKey: key],
                body: ByteBuffer(string: #"{"track_id": "local:a.mp3"}"#))
            #expect(response.status == .notFound)
            #expect(try ErrorBody(response).error.code == "NOT_FOUND")
        }
    }

    @Test func saneIncomingRequestIDsAreKeptOthersReplaced() async throws {
        try await TestApp.shared().test { client in
            let kept = try await client.execute(uri: "/health/live", method: .get, headers: [.requestID: "abc-DEF_123.4:5"])
            #expect(kept.headers[.requestID] == "abc-DEF_123.4:5")
            for insane in ["has space", String(repeating: "a", count: 129), "quote\"d", ""] {
                let replaced = try await client.execute(uri: "/health/live", method: .get, headers: [.requestID: insane])
                #expect(replaced.headers[.requestID] != insane)
                #expect(replaced.headers[.requestID]?.hasPrefix("req_") == true)
            }
            var seen = Set<String>()
            for _ in 0..<50 {
                let response = try await client.execute(uri: "/health/live", method: .get)
                seen.insert(response.headers[.requestID] ?? "")
            }
            #expect(seen.count == 50)
        }
    }

    @Test func openAPIDocumentIsServed() async throws {
        try await TestApp.shared().test { client in
            let response = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(response.status == .ok)
            let onDisk = try String(
                contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("openapi.yaml"), encoding: .utf8)
            #expect(response.text == onDisk)
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        try await app.test { client in
            for _ in 0..<3 { _ = try await client.execute(uri: "/health/live", method: .get) }
            _ = try await client.execute(uri: "/v1/tracks/abc", method: .delete, headers: [.xAPIKey: key])
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            let text = response.text
            #expect(text.contains(#"http_requests_total{method="GET",route="/health/live",status="200"} 3"#))
            #expect(text.contains(#"http_requests_total{method="DELETE",route="/v1/tracks/{id}",status="405"} 1"#))
            #expect(text.contains(#"http_request_duration_seconds_bucket{method="GET",route="/health/live",status="200",le="+Inf"} 3"#))
        }
    }

    @Test func oneJSONLogLinePerRequest() async throws {
        let lines = Mutex<[String]>([])
        let sink = JSONLogHandler.Sink { line in lines.withLock { $0.append(line) } }
        var app = try await TestApp.shared()
        app.logger = Logger(label: "http") { JSONLogHandler(label: $0, level: .info, sink: sink) }
        try await app.test { client in
            _ = try await client.execute(uri: "/health/live", method: .get, headers: [.requestID: "log-check-1"])
            _ = try await client.execute(uri: "/nope", method: .get, headers: [.requestID: "log-check-2"])
        }
        let records = lines.withLock { $0 }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["message"] as? String == "request" }
        #expect(records.count == 2)
        let first = try #require(records.first { $0["request_id"] as? String == "log-check-1" })
        #expect(first["method"] as? String == "GET")
        #expect(first["route"] as? String == "/health/live")
        #expect(first["status"] as? Int == 200)
        #expect(first["duration_ms"] is Double || first["duration_ms"] is Int)
        let second = try #require(records.first { $0["request_id"] as? String == "log-check-2" })
        #expect(second["status"] as? Int == 404)
    }
}
