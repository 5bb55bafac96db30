import Foundation

/// Anthropic's Messages API with one tool whose input schema is the filters schema, forced with
/// `tool_choice`, so the answer is the tool call's `input` object.
public struct AnthropicMessagesProvider: LLMProvider {
    public let name = "anthropic"
    public let model: String
    public let baseURL: URL
    public let apiKey: String
    public let transport: LLMTransport

    public static let defaultModel = "claude-haiku-4-5"
    public static let apiVersion = "2023-06-01"
    static let toolName = "record_filters"

    public init(baseURL: URL, apiKey: String, model: String?, transport: LLMTransport = .init()) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model ?? Self.defaultModel
        self.transport = transport
    }

    public func filtersJSON(for query: String, prompt: Prompt, deadline: ContinuousClock.Instant) async throws(LLMError) -> [UInt8] {
        let body: [String: Any] = [
            "model": model,
            "max_tokens": 1024,
            "temperature": 0,
            "system": prompt.system,
            "messages": [["role": "user", "content": query]],
            "tools": [
                [
                    "name": Self.toolName,
                    "description": "Record the structured search filters for the user's music query.",
                    "input_schema": prompt.schema.object,
                ]
            ],
            "tool_choice": ["type": "tool", "name": Self.toolName],
        ]
        let response = try await transport.post(
            baseURL.appendingPathComponent("v1/messages").absoluteString,
            headers: [("x-api-key", apiKey), ("anthropic-version", Self.apiVersion)], body: WireJSON.encode(body),
            deadline: deadline,
            // Anthropic reports spent credit as a 400, never as a 429: every 429 is a rate limit.
            isQuotaExhausted: { _ in false },
            errorMessage: { WireJSON.errorMessage($0.body) })

        guard let answer = WireJSON.object(response.body), let content = answer["content"] as? [[String: Any]] else {
            throw .malformed("no content")
        }
        if (answer["stop_reason"] as? String) == "refusal" { throw .refusal("") }
        guard let call = content.first(where: { ($0["type"] as? String) == "tool_use" && ($0["name"] as? String) == Self.toolName })
        else {
            let text = content.compactMap { $0["text"] as? String }.joined(separator: " ")
            throw .refusal(String(text.prefix(200)))
        }
        guard let input = call["input"] as? [String: Any] else { throw .malformed("the tool call has no input object") }
        return WireJSON.encode(input)
    }
}
