import Foundation
import TestSupport
import Testing

@Suite struct ParseCommandTests {
    static let prompts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../prompts").standardized
        .path

    @Test func printsTheFiltersAsJSON() async throws {
        let result = try await Musicforge.run(["parse", "120bpm dark techno in A minor", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((json["bpm"] as? [String: Any])?["target"] as? Double == 120)
        #expect((json["key"] as? [String: Any])?["camelot"] as? String == "8A")
        #expect(json["parser"] as? String == "rules")
        #expect(json["duration"] is NSNull)
        #expect(result.stdout.split(separator: "\n").count == 1)
    }

    @Test func printsReadableLinesByDefault() async throws {
        let result = try await Musicforge.run(["parse", "dnb 174 no vocals"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("bpm"))
        #expect(result.stdout.contains("171–177 (target 174)"))
        #expect(result.stdout.contains("instrumental"))
        #expect(result.stdout.contains("drum-and-bass"))
    }

    @Test func anEmptyQueryOrAnUnconfiguredLLMIsBadUsage() async throws {
        let empty = try await Musicforge.run(["parse", "   "])
        #expect(empty.status == 2)
        #expect(empty.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == "The query is empty.")
        let noLLM = try await Musicforge.run(["parse", "techno", "--parser", "llm"])
        #expect(noLLM.status == 2)
        #expect(noLLM.stderr.contains("No LLM provider is configured"))
    }

    @Test func usesTheConfiguredLLMAndFallsBackWhenItFails() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        let environment = [
            "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1", "MUSICFORGE_PROMPTS": Self.prompts,
            "LLM_TIMEOUT_MS": "2000",
        ]
        let answer: [String: Any] = [
            "bpm": NSNull(), "key": NSNull(), "harmonic": false, "energy": NSNull(), "genres": ["ambient"], "moods": ["dreamy"],
            "instruments": ["pads"], "vocals": "instrumental", "duration": NSNull(), "keywords": ["space"], "exclude": [],
            "confidence": 0.8,
        ]
        let content = String(decoding: try JSONSerialization.data(withJSONObject: answer), as: UTF8.self)
        let message: [String: Any] = ["role": "assistant", "content": content, "refusal": NSNull()]
        try server.script([
            .json([
                "id": "chatcmpl-1", "object": "chat.completion", "choices": [["index": 0, "message": message, "finish_reason": "stop"]],
            ])
        ])
        let good = try await Musicforge.run(["parse", "floating in space", "--json"], environment: environment)
        #expect(good.status == 0, "\(good.stderr)")
        let filters = try #require(try JSONSerialization.jsonObject(with: Data(good.stdout.utf8)) as? [String: Any])
        #expect(filters["parser"] as? String == "llm")
        #expect(filters["genres"] as? [String] == ["ambient"])
        #expect((filters["prompt_version"] as? String)?.hasPrefix("1-") == true)

        try server.script([.json(["error": ["message": "boom", "type": "server_error"]], status: 500, repeats: true)])
        let fallback = try await Musicforge.run(["parse", "dreamy ambient", "--json"], environment: environment)
        #expect(fallback.status == 0)
        let rules = try #require(try JSONSerialization.jsonObject(with: Data(fallback.stdout.utf8)) as? [String: Any])
        #expect(rules["parser"] as? String == "rules")
        #expect((rules["fallback_reason"] as? String)?.contains("500") == true)
        let strict = try await Musicforge.run(["parse", "dreamy ambient", "--parser", "llm"], environment: environment)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("500"))
    }
}
