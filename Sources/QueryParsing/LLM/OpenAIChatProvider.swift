import Foundation

/// OpenAI-compatible Chat Completions with Structured Outputs: `response_format` of type
/// `json_schema` with `strict: true`. Ollama, vLLM and llama.cpp servers speak the same protocol at
/// their own base URL; the key is optional for them.
public struct OpenAIChatProvider: LLMProvider {
    public let name = "openai"
    public let model: String
    public let baseURL: URL
    public let apiKey: String?
    public let transport: LLMTransport

    public static let defaultModel = "gpt-4.1-mini"

    public init(baseURL: URL, apiKey: String?, model: String?, transport: LLMTransport = .init()) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model ?? Self.defaultModel
        self.transport = transport
    }

    public func filtersJSON(for query: String, prompt: Prompt, deadline: ContinuousClock.Instant) async throws(LLMError) -> [UInt8] {
        let body: [String: Any] = [
            "model": model,
            "temperature": 0,
            "messages": [
                ["role": "system", "content": prompt.system],
                ["role": "user", "content": query],
            ],
            "response_format": [
                "type": "json_schema",
                "json_schema": ["name": "filters", "strict": true, "schema": prompt.schema.object],
            ],
        ]
        var headers: [(String, String)] = []
        if let apiKey, !apiKey.isEmpty { headers.append(("authorization", "Bearer \(apiKey)")) }
        let response = try await transport.post(
            baseURL.appendingPathComponent("chat/completions").absoluteString, headers: headers, body: WireJSON.encode(body),
            deadline: deadline,
            isQuotaExhausted: { response in
                // OpenAI marks a used-up quota with the code "insufficient_quota" on a 429.
                let error = WireJSON.object(response.body)?["error"] as? [String: Any]
                return (error?["code"] as? String) == "insufficient_quota" || (error?["type"] as? String) == "insufficient_quota"
            },
            errorMessage: { WireJSON.errorMessage($0.body) })

        guard let answer = WireJSON.object(response.body), let choices = answer["choices"] as? [[String: Any]],
            let message = choices.first?["message"] as? [String: Any]
        else { throw .malformed("no choices[0].message") }
        if let refusal = message["refusal"] as? String, !refusal.isEmpty { throw .refusal(String(refusal.prefix(200))) }
        let finish = choices.first?["finish_reason"] as? String
        if finish == "content_filter" { throw .refusal("content filter") }
        if finish == "length" { throw .malformed("the answer was cut off") }
        guard let content = message["content"] as? String else { throw .malformed("no message content") }
        return Array(content.utf8)
    }
}
