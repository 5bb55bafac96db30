import Core
import Foundation
import QueryParsing
import TestSupport
import Testing

/// The two LLM protocols against local servers answering in each provider's documented wire format.
enum LLMFixtures {
    static let promptsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../prompts").standardized.path

    static func prompt() throws -> Prompt { try Prompt.load(from: promptsDirectory) }

    /// Filters as a model answers them for "dark warehouse techno".
    nonisolated(unsafe) static let darkTechno: [String: Any] = [
        "bpm": ["min": 125, "max": 135, "target": 130], "key": NSNull(), "harmonic": false,
        "energy": ["min": 0.6, "max": 0.9, "target": 0.75], "genres": ["techno"], "moods": ["dark"], "instruments": [],
        "vocals": NSNull(), "duration": NSNull(), "keywords": ["warehouse"], "exclude": [], "confidence": 0.9,
    ]

    static func json(_ object: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A Chat Completions answer whose message content is `content`.
    static func openAIAnswer(content: String?, refusal: String? = nil, finish: String = "stop") -> ScriptedHTTPServer.Response {
        let message: [String: Any] = [
            "role": "assistant", "content": content.map { $0 as Any } ?? NSNull(), "refusal": refusal.map { $0 as Any } ?? NSNull(),
        ]
        let choice: [String: Any] = ["index": 0, "message": message, "finish_reason": finish]
        return .json([
            "id": "chatcmpl-test", "object": "chat.completion", "created": 1_764_000_000, "model": "gpt-4.1-mini",
            "choices": [choice],
            "usage": ["prompt_tokens": 500, "completion_tokens": 60, "total_tokens": 560],
        ])
    }

    static func openAIError(_ status: Int, type: String, code: String?, message: String, headers: [String: String] = [:])
        -> ScriptedHTTPServer.Response
    {
        .json(
            ["error": ["message": message, "type": type, "param": NSNull(), "code": code.map { $0 as Any } ?? NSNull()] as [String: Any]],
            status: status, headers: headers)
    }

    /// A Messages answer calling the filters tool with `input`.
    static func anthropicAnswer(input: [String: Any]) -> ScriptedHTTPServer.Response {
        .json([
            "id": "msg_test", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
            "content": [["type": "tool_use", "id": "toolu_test", "name": "record_filters", "input": input]],
            "stop_reason": "tool_use", "stop_sequence": NSNull(), "usage": ["input_tokens": 500, "output_tokens": 60],
        ])
    }

    static func anthropicError(_ status: Int, type: String, message: String, headers: [String: String] = [:]) -> ScriptedHTTPServer.Response
    {
        .json(["type": "error", "error": ["type": type, "message": message]], status: status, headers: headers)
    }

    /// A parser of the fake provider. The default timeout is generous: the fake answers at once, and a test
    /// that expects the model's answer must not fall back because a loaded machine was slow to deliver it.
    static func openAIParser(
        _ server: ScriptedHTTPServer, timeout: Duration = .seconds(60), breaker: CircuitBreaker = .init(),
        retry: RetryPolicy = .init(baseDelay: .milliseconds(20))
    ) throws -> QueryParser {
        let provider = OpenAIChatProvider(
            baseURL: URL(string: server.baseURL + "/v1")!, apiKey: "sk-test", model: nil, transport: LLMTransport(retry: retry))
        return QueryParser(llm: .init(provider: provider, prompt: try prompt(), timeout: timeout, breaker: breaker))
    }

    static func anthropicParser(_ server: ScriptedHTTPServer, timeout: Duration = .seconds(60)) throws -> QueryParser {
        let provider = AnthropicMessagesProvider(
            baseURL: URL(string: server.baseURL)!, apiKey: "sk-ant-test", model: nil,
            transport: LLMTransport(retry: .init(baseDelay: .milliseconds(20))))
        return QueryParser(llm: .init(provider: provider, prompt: try prompt(), timeout: timeout))
    }
}

@Suite struct OpenAIProviderTests {
    @Test func answersThroughStructuredOutputsAndSendsTheDocumentedRequest() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([LLMFixtures.openAIAnswer(content: LLMFixtures.json(LLMFixtures.darkTechno))])
        let parser = try LLMFixtures.openAIParser(server)

        let filters = try await parser.parse("dark warehouse techno")
        #expect(filters.parser == .llm)
        #expect(filters.genres == ["techno"])
        #expect(filters.keywords == ["warehouse"])
        #expect(filters.energy == NumericRange(min: 0.6, max: 0.9, target: 0.75))
        #expect(filters.promptVersion == (try LLMFixtures.prompt().version))
        #expect(filters.fallbackReason == nil)

        let requests = server.requests()
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/v1/chat/completions")
        #expect(request.headers["authorization"] == "Bearer sk-test")
        let body = request.json
        #expect(body["model"] as? String == OpenAIChatProvider.defaultModel)
        let messages = try #require(body["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["system", "user"])
        #expect(messages[1]["content"] as? String == "dark warehouse techno")
        #expect((messages[0]["content"] as? String)?.contains("Examples") == true)
        let format = try #require(body["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema")
        let schema = try #require(format["json_schema"] as? [String: Any])
        #expect(schema["strict"] as? Bool == true)
        let required = try #require((schema["schema"] as? [String: Any])?["required"] as? [String])
        #expect(
            Set(required) == [
                "bpm", "key", "harmonic", "energy", "genres", "moods", "instruments", "vocals", "duration", "keywords", "exclude",
                "confidence",
            ])
    }

    @Test func waitsAsRetryAfterSaysOn429() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([
            LLMFixtures.openAIError(
                429, type: "requests", code: "rate_limit_exceeded", message: "Rate limit reached", headers: ["retry-after": "1"]),
            LLMFixtures.openAIAnswer(content: LLMFixtures.json(LLMFixtures.darkTechno)),
        ])
        let parser = try LLMFixtures.openAIParser(server)
        let start = ContinuousClock.now
        let filters = try await parser.parse("dark warehouse techno")
        let elapsed = ContinuousClock.now - start
        #expect(filters.parser == .llm)
        #expect(server.requests().count == 2)
        #expect(elapsed >= .milliseconds(950), "waited \(elapsed), not the second retry-after asked for")
    }

    @Test func retriesA500() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([
            LLMFixtures.openAIError(
                500, type: "server_error", code: nil, message: "The server had an error while processing your request."),
            LLMFixtures.openAIAnswer(content: LLMFixtures.json(LLMFixtures.darkTechno)),
        ])
        let filters = try await LLMFixtures.openAIParser(server).parse("dark warehouse techno")
        #expect(filters.parser == .llm)
        #expect(server.requests().count == 2)
    }

    @Test func aQuotaExhausted429IsNotRetriedAndFallsBack() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([
            LLMFixtures.openAIError(
                429, type: "insufficient_quota", code: "insufficient_quota",
                message: "You exceeded your current quota, please check your plan and billing details.", headers: ["retry-after": "0"]),
            LLMFixtures.openAIAnswer(content: LLMFixtures.json(LLMFixtures.darkTechno)),
        ])
        let filters = try await LLMFixtures.openAIParser(server).parse("dark warehouse techno")
        #expect(filters.parser == .rules)
        #expect(filters.genres == ["techno"], "the rule parser answered")
        #expect(filters.fallbackReason == LLMError.quotaExhausted.reason)
        #expect(server.requests().count == 1)
    }

    @Test func persistentRateLimitingFallsBackAfterTheRetries() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([
            LLMFixtures.openAIError(
                429, type: "requests", code: "rate_limit_exceeded", message: "Slow down", headers: ["retry-after-ms": "10"]
            )
            .repeating()
        ])
        let filters = try await LLMFixtures.openAIParser(server).parse("dark warehouse techno")
        #expect(filters.parser == .rules)
        #expect(filters.fallbackReason == LLMError.rateLimited.reason)
        #expect(server.requests().count == RetryPolicy().maxAttempts)
    }

    @Test func aRetryAfterPastTheDeadlineFallsBackAtOnce() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([
            LLMFixtures.openAIError(503, type: "server_error", code: nil, message: "Unavailable", headers: ["retry-after": "120"])
        ])
        let start = ContinuousClock.now
        let filters = try await LLMFixtures.openAIParser(server, timeout: .seconds(60)).parse("dark techno")
        // Waiting as asked would take 120 s, and waiting for the deadline 60 s; the bound leaves room for a
        // loaded machine and still tells falling back at once from either.
        #expect(ContinuousClock.now - start < .seconds(40))
        #expect(filters.parser == .rules)
        #expect(server.requests().count == 1)
    }

    @Test func aSlowProviderTimesOutAndFallsBack() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([LLMFixtures.openAIAnswer(content: LLMFixtures.json(LLMFixtures.darkTechno)).delayed(60)])
        let start = ContinuousClock.now
        let filters = try await LLMFixtures.openAIParser(server, timeout: .seconds(1)).parse("120bpm dark techno")
        let elapsed = ContinuousClock.now - start
        #expect(filters.parser == .rules)
        #expect(filters.fallbackReason == LLMError.timeout.reason)
        #expect(filters.bpm?.target == 120)
        // The bound leaves a loaded machine room past the 1 s timeout, and is still far from the answer's 60 s.
        #expect(elapsed < .seconds(30), "took \(elapsed); the provider would have taken 60 s")
    }

    @Test(arguments: [
        ("not json at all {", "malformed"),
        (#"{"genres": "techno"}"#, "schema"),
        (
            #"{"bpm": null, "key": {"tonic": "H", "mode": "minor"}, "harmonic": false, "energy": null, "genres": [], "moods": [], "instruments": [], "vocals": null, "duration": null, "keywords": [], "exclude": [], "confidence": 0.5}"#,
            "schema"
        ),
        (
            #"{"bpm": null, "key": null, "harmonic": false, "energy": null, "genres": [], "moods": [], "instruments": [], "vocals": "maybe", "duration": null, "keywords": [], "exclude": [], "confidence": 0.5, "extra": 1}"#,
            "schema"
        ),
    ])
    func badAnswersFallBackToTheRules(content: String, kind: String) async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([LLMFixtures.openAIAnswer(content: content)])
        let filters = try await LLMFixtures.openAIParser(server).parse("dark techno 128")
        #expect(filters.parser == .rules)
        #expect(filters.bpm?.target == 128)
        let reason = try #require(filters.fallbackReason)
        #expect(reason.contains(kind == "malformed" ? "malformed" : "schema"), "\(reason)")
        #expect(server.requests().count == 1, "a bad answer is not retried")
    }

    @Test func aRefusalFallsBack() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([LLMFixtures.openAIAnswer(content: nil, refusal: "I'm sorry, I can't help with that.")])
        let filters = try await LLMFixtures.openAIParser(server).parse("dark techno")
        #expect(filters.parser == .rules)
        #expect(filters.fallbackReason?.contains("refused") == true)
    }

    @Test func numbersInTheQueryWinOverTheModelAndAnswersAreClamped() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        var answer = LLMFixtures.darkTechno
        answer["bpm"] = ["min": 100, "max": 110, "target": 105]
        answer["key"] = ["tonic": "C", "mode": "major"]
        answer["energy"] = ["min": -3, "max": 7, "target": 0.8]
        answer["genres"] = ["Drum and Bass", "techno", "TECHNO"]
        try server.script([LLMFixtures.openAIAnswer(content: LLMFixtures.json(answer))])
        let filters = try await LLMFixtures.openAIParser(server).parse("128 bpm techno in A minor")
        #expect(filters.parser == .llm)
        #expect(filters.bpm == NumericRange(min: 126, max: 130, target: 128))
        #expect(filters.key?.key.description == "A minor")
        #expect(filters.energy == NumericRange(min: 0, max: 1, target: 0.8))
        #expect(filters.genres == ["drum-and-bass", "techno"])
    }

    @Test func theCircuitOpensAfterRepeatedFailuresAndStopsCalling() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([LLMFixtures.openAIError(500, type: "server_error", code: nil, message: "down").repeating()])
        let breaker = CircuitBreaker(failureThreshold: 2, openDuration: .seconds(60))
        let parser = try LLMFixtures.openAIParser(server, breaker: breaker, retry: .init(maxAttempts: 1))
        _ = try await parser.parse("techno one")
        _ = try await parser.parse("techno two")
        #expect(breaker.isOpen)
        let before = server.requests().count
        let filters = try await parser.parse("techno three")
        #expect(server.requests().count == before, "no call while the circuit is open")
        #expect(filters.fallbackReason == LLMError.circuitOpen.reason)
    }

    @Test func answersAreCachedInProcess() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([LLMFixtures.openAIAnswer(content: LLMFixtures.json(LLMFixtures.darkTechno))])
        let parser = try LLMFixtures.openAIParser(server)
        let first = try await parser.parse("Dark warehouse techno")
        let second = try await parser.parse("  dark WAREHOUSE techno!")
        #expect(first == second)
        #expect(server.requests().count == 1)
    }

    @Test func llmOnlyParsingReportsFailuresInsteadOfFallingBack() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([LLMFixtures.openAIAnswer(content: "{broken")])
        await #expect(throws: QueryParsingError.self) {
            try await LLMFixtures.openAIParser(server).parse("dark techno", strategy: .llm)
        }
        await #expect(throws: QueryParsingError.llmNotConfigured) {
            try await QueryParser(llm: nil).parse("dark techno", strategy: .llm)
        }
    }
}

@Suite struct AnthropicProviderTests {
    @Test func answersThroughAForcedToolAndSendsTheDocumentedRequest() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([LLMFixtures.anthropicAnswer(input: LLMFixtures.darkTechno)])
        let filters = try await LLMFixtures.anthropicParser(server).parse("dark warehouse techno")
        #expect(filters.parser == .llm)
        #expect(filters.moods == ["dark"])

        let request = try #require(server.requests().first)
        #expect(request.path == "/v1/messages")
        #expect(request.headers["x-api-key"] == "sk-ant-test")
        #expect(request.headers["anthropic-version"] == AnthropicMessagesProvider.apiVersion)
        let body = request.json
        #expect(body["max_tokens"] as? Int != nil)
        #expect((body["system"] as? String)?.isEmpty == false)
        let choice = try #require(body["tool_choice"] as? [String: Any])
        #expect(choice["type"] as? String == "tool")
        let tools = try #require(body["tools"] as? [[String: Any]])
        #expect(tools.first?["name"] as? String == choice["name"] as? String)
        #expect((tools.first?["input_schema"] as? [String: Any])?["type"] as? String == "object")
    }

    @Test func retriesOverloaded529AndRateLimited429() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([
            LLMFixtures.anthropicError(529, type: "overloaded_error", message: "Overloaded"),
            LLMFixtures.anthropicError(
                429, type: "rate_limit_error", message: "Number of requests has exceeded your rate limit", headers: ["retry-after": "0"]),
            LLMFixtures.anthropicAnswer(input: LLMFixtures.darkTechno),
        ])
        let filters = try await LLMFixtures.anthropicParser(server).parse("dark warehouse techno")
        #expect(filters.parser == .llm)
        #expect(server.requests().count == 3)
    }

    @Test func aClientErrorIsNotRetried() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([
            LLMFixtures.anthropicError(
                400, type: "invalid_request_error", message: "Your credit balance is too low to access the Anthropic API.")
        ])
        let filters = try await LLMFixtures.anthropicParser(server).parse("dark techno")
        #expect(filters.parser == .rules)
        #expect(filters.fallbackReason?.contains("credit balance") == true)
        #expect(server.requests().count == 1)
    }

    @Test func aRefusalOrATextAnswerFallsBack() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([
            .json([
                "id": "msg_r", "type": "message", "role": "assistant", "model": "claude-haiku-4-5", "content": [],
                "stop_reason": "refusal", "stop_sequence": NSNull(), "usage": ["input_tokens": 10, "output_tokens": 0],
            ]),
            .json([
                "id": "msg_t", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
                "content": [["type": "text", "text": "I would rather not."]], "stop_reason": "end_turn", "stop_sequence": NSNull(),
                "usage": ["input_tokens": 10, "output_tokens": 5],
            ]),
        ])
        let parser = try LLMFixtures.anthropicParser(server)
        let refused = try await parser.parse("dark techno")
        let texted = try await parser.parse("deep house")
        #expect(refused.parser == .rules)
        #expect(texted.parser == .rules)
        #expect(texted.fallbackReason?.contains("I would rather not") == true)
    }

    @Test func malformedBodiesFallBack() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([.init(status: 200, headers: ["Content-Type": "application/json"], body: "{\"content\": 5")])
        let filters = try await LLMFixtures.anthropicParser(server).parse("dark techno")
        #expect(filters.parser == .rules)
        #expect(filters.fallbackReason?.contains("malformed") == true)
    }
}
