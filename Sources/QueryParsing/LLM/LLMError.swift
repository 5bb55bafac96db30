import Foundation

/// Why an LLM gave no usable filters. Every case falls back to the rule parser; ``reason`` is what
/// the logs and `fallback_reason` say.
public enum LLMError: Error, Sendable, Equatable {
    /// No answer within the time allowed for the whole call, retries included.
    case timeout
    /// Still rate limited after the retries the deadline allowed.
    case rateLimited
    /// The account's quota or credit is used up: retrying cannot help.
    case quotaExhausted
    /// The provider answered with an error status.
    case http(status: Int, message: String)
    /// The connection failed.
    case transport(String)
    /// The answer was not the JSON the protocol promises.
    case malformed(String)
    /// The model declined to answer.
    case refusal(String)
    /// The filters did not satisfy `prompts/filters.schema.json`.
    case schemaViolation(String)
    /// Too many recent failures: the provider is not called for a while.
    case circuitOpen

    /// One short sentence for logs and `fallback_reason`.
    public var reason: String {
        func quoted(_ text: String) -> String {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.hasSuffix(".") ? String(trimmed.dropLast()) : trimmed
        }
        return switch self {
        case .timeout: "The LLM did not answer in time."
        case .rateLimited: "The LLM provider kept rate limiting."
        case .quotaExhausted: "The LLM provider's quota is exhausted."
        case .http(let status, let message): "The LLM provider answered \(status)\(message.isEmpty ? "" : ": \(quoted(message))")."
        case .transport(let message): "The LLM provider could not be reached (\(message))."
        case .malformed(let message): "The LLM answer was malformed (\(message))."
        case .refusal(let message): "The LLM refused\(message.isEmpty ? "" : ": \(quoted(message))")."
        case .schemaViolation(let message): "The LLM answer broke the filters schema (\(message))."
        case .circuitOpen: "The LLM provider failed repeatedly and is paused."
        }
    }

    /// Whether the failure says the provider is unhealthy (so it counts towards opening the circuit).
    var countsAgainstProvider: Bool {
        switch self {
        case .timeout, .rateLimited, .quotaExhausted, .transport, .malformed: true
        case .http(let status, _): status >= 500 || status == 401 || status == 403
        case .refusal, .schemaViolation, .circuitOpen: false
        }
    }
}
