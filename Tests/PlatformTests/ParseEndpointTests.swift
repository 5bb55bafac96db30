import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import QueryParsing
@testable import Stores
import TestSupport
import Testing

@testable import Platform

@Suite struct ParseEndpointTests {
    static let filterFields: Set<String> = [
        "bpm", "key", "harmonic", "energy", "genres", "moods", "instruments", "vocals", "duration", "keywords", "exclude",
        "parser", "confidence", "fallback_reason",
    ]

    @Test func answersFiltersWithEveryFieldAndNullsSpelledOut() async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        try await app.test { client in
            let response = try await client.execute(
                uri: "/v1/parse", method: .post, headers: [.contentType: "application/json", .xAPIKey: key],
                body: ByteBuffer(string: #"{"query": "120bpm dark techno in A minor, no vocals"}"#))
            #expect(response.status == .ok)
            #expect(response.headers[.rateLimitPolicy] != nil)
            let json = try response.json()
            #expect(Set(json.keys) == Self.filterFields)
            #expect(json["duration"] is NSNull)
            #expect(json["energy"] is NSNull)
            #expect(json["parser"] as? String == "rules")
            #expect(json["vocals"] as? String == "instrumental")
            let bpm = try #require(json["bpm"] as? [String: Any])
            #expect(bpm["min"] as? Double == 118 && bpm["max"] as? Double == 122 && bpm["target"] as? Double == 120)
            let musicalKey = try #require(json["key"] as? [String: Any])
            #expect(musicalKey["tonic"] as? String == "A")
            #expect(musicalKey["camelot"] as? String == "8A")
            #expect(musicalKey["open_key"] as? String == "1m")
            #expect(json["genres"] as? [String] == ["techno"])
        }
    }

    @Test(arguments: [#"{"query": ""}"#, #"{"query": "   "}"#, #"{"query": "\#(String(repeating: "techno ", count: 80))"}"#])
    func emptyOrOverlongQueriesAre400(body: String) async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        try await app.test { client in
            let response = try await client.execute(
                uri: "/v1/parse", method: .post, headers: [.contentType: "application/json", .xAPIKey: key], body: ByteBuffer(string: body))
            #expect(response.status == .badRequest)
            let error = try ErrorBody(response)
            #expect(error.error.code == "INVALID_REQUEST")
            #expect(error.error.message.contains("query") || error.error.message.contains("The query"))
        }
    }

    /// The route is served by hand (``ParseRoute``) and keeps the generated server's checks.
    @Test(arguments: [
        (["Content-Type": "text/plain"], #"{"query": "techno"}"#, 400, "Unexpected content type"),
        (["Content-Type": "application/json"], #"{"querx": "techno"}"#, 400, "`query` is required"),
        (["Content-Type": "application/json"], #"{"query": 5}"#, 400, "`query` has the wrong type"),
        (["Content-Type": "application/json"], "", 400, "not valid JSON"),
        (["Content-Type": "application/json", "Accept": "text/plain"], #"{"query": "techno"}"#, 406, "Accept"),
        (["Content-Type": "application/json"], #"{"query": "\#(String(repeating: " ", count: 70_000))techno"}"#, 413, "too large"),
        (
            ["Content-Type": "application/json; charset=utf-8", "Accept": "text/html, application/*;q=0.5"], #"{"query": "techno"}"#, 200,
            ""
        ),
        ([:], #"{"query": "techno"}"#, 200, ""),
    ])
    func keepsTheContractsChecks(headers: [String: String], body: String, status: Int, message: String) async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        var fields: HTTPFields = [.xAPIKey: key]
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        try await app.test { [fields] client in
            let response = try await client.execute(uri: "/v1/parse", method: .post, headers: fields, body: ByteBuffer(string: body))
            #expect(response.status.code == status)
            if status == 200 {
                #expect(try response.json()["genres"] as? [String] == ["techno"])
            } else {
                let error = try ErrorBody(response)
                #expect(error.error.message.contains(message), "\(error.error.message)")
            }
        }
    }

    /// The decoder-free reading of the common body agrees with the decoder, and leaves it everything else.
    @Test func plainBodiesAreReadAsTheDecoderReadsThem() throws {
        for body in [#"{"query": "120bpm dark techno"}"#, " {\n\t\"query\" :\"é 日本 😀 a/b\" } \r\n", #"{"query":""}"#] {
            let decoded = try JSONDecoder().decode(Components.Schemas.ParseRequest.self, from: Data(body.utf8)).query
            #expect(ParseRoute.plainQuery(in: ByteBuffer(string: body)) == decoded, "\(body)")
        }
        let others: [[UInt8]] = [
            Array(#"{"query": "a \"b\""}"#.utf8), Array(#"{"query": "x", "limit": 5}"#.utf8), Array(#"{"query": 5}"#.utf8),
            Array(#"{"query": "x""#.utf8), Array(#"{"query": "x"} x"#.utf8), Array("{\"query\": \"a\tb\"}".utf8),
            Array(#"{"query": ""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8), [],
        ]
        for body in others { #expect(ParseRoute.plainQuery(in: ByteBuffer(bytes: body)) == nil, "\(body)") }
    }

    @Test func mediaTypesAreComparedWithoutCaseSpacesOrParameters() {
        for value in ["application/json", "Application/JSON", "  application/json ; charset=utf-8", "application/json;q=0.5"] {
            #expect(MediaType.matches(value, "application/json"), "\(value)")
        }
        for value in ["", "application/jsonx", "application/js", "text/plain", "application/json-seq", "xapplication/json"] {
            #expect(!MediaType.matches(value, "application/json"), "\(value)")
        }
        #expect(ParseRoute.admitsJSON("text/html, */*;q=0.1"))
        #expect(ParseRoute.admitsJSON(" , "))
        #expect(!ParseRoute.admitsJSON("text/html, application/xml"))
    }

    /// Every route answers an `Accept` it cannot satisfy with 406 (the generated server's check used
    /// to surface as a 500), and the request is billed with that status.
    @Test func anUnsatisfiableAcceptIs406() async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        try await app.test { client in
            let response = try await client.execute(uri: "/v1/keys", method: .get, headers: [.xAPIKey: key, .accept: "text/csv"])
            #expect(response.status == .notAcceptable)
            #expect(try ErrorBody(response).error.code == "INVALID_REQUEST")
        }
    }

    @Test func needsAKey() async throws {
        try await TestApp.shared().test { client in
            let response = try await client.execute(
                uri: "/v1/parse", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"query": "techno"}"#))
            #expect(response.status == .unauthorized)
        }
    }

    /// The cache hit path with real Redis: a second instance (its own in-process cache empty) answers
    /// from Redis without asking the model again.
    @Test func llmAnswersAreSharedThroughRedis() async throws {
        let provider = try await ScriptedHTTPServer.start()
        defer { provider.stop() }
        let answer: [String: Any] = [
            "bpm": ["min": 125, "max": 135, "target": 130], "key": NSNull(), "harmonic": false, "energy": NSNull(),
            "genres": ["techno"], "moods": ["dark"], "instruments": [], "vocals": NSNull(), "duration": NSNull(),
            "keywords": ["warehouse"], "exclude": [], "confidence": 0.9,
        ]
        let content = String(decoding: try JSONSerialization.data(withJSONObject: answer), as: UTF8.self)
        let message: [String: Any] = ["role": "assistant", "content": content, "refusal": NSNull()]
        try provider.script([
            .json([
                "id": "chatcmpl-1", "object": "chat.completion", "choices": [["index": 0, "message": message, "finish_reason": "stop"]],
            ])
        ])
        let prompts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../prompts").standardized.path
        var configuration = AppConfiguration()
        configuration.llmProvider = .openai
        configuration.openAIBaseURL = URL(string: provider.baseURL + "/v1")!
        configuration.openAIAPIKey = "sk-test"
        configuration.promptsDirectory = prompts
        // The fake answers at once, but a loaded machine may take longer than the default 3 s to get the
        // answer through; a timeout would fall back to the rules and ask the model again.
        configuration.llmTimeout = .seconds(60)
        let llm = try #require(try configuration.makeLLM())

        var app = try await TestApp.shared()
        app.llm = llm
        let key = try await app.createKey().secret
        let query = "dark warehouse techno \(UUID().uuidString.prefix(6))"
        var answers: [[String: Any]] = []
        for _ in 0..<2 {
            // Each `test` builds fresh dependencies: a new parser whose in-process cache is empty.
            let json = try await app.test { client in
                let response = try await client.execute(
                    uri: "/v1/parse", method: .post, headers: [.contentType: "application/json", .xAPIKey: key],
                    body: ByteBuffer(string: #"{"query": "\#(query)"}"#))
                #expect(response.status == .ok)
                return String(buffer: response.body)
            }
            answers.append(try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]))
        }
        #expect(provider.requests().count == 1, "the second instance was answered from Redis")
        #expect(answers.map { $0["parser"] as? String } == ["llm", "llm"])
        #expect(answers.map { $0["keywords"] as? [String] } == [["warehouse"], ["warehouse"]])
        #expect(answers[0]["prompt_version"] as? String == llm.prompt.version)

        // Stored with the one-hour TTL.
        let redis = try await sharedRedisClient()
        let cacheKey = "openai:\(llm.provider.model):\(llm.prompt.version):\(RuleParser().read(query).normalizedQuery)"
        let ttl = try await redis.send("TTL", RedisFiltersStore(redis: redis, logger: quietLogger).cache.redisKey(cacheKey)).int
        #expect(ttl.map { $0 > 3500 && $0 <= 3600 } == true, "TTL \(String(describing: ttl))")
    }
}
