/// Why a query could not be parsed at all (an LLM failure alone never gets here: it falls back).
public enum QueryParsingError: Error, Sendable, Equatable {
    /// The query is empty or only spaces.
    case emptyQuery
    /// Longer than ``QueryParser/maxQueryLength`` characters.
    case queryTooLong(limit: Int)
    /// `--parser llm` without an LLM configured.
    case llmNotConfigured
    /// `--parser llm` and the LLM failed (no fallback was asked for).
    case llmFailed(LLMError)

    public var message: String {
        switch self {
        case .emptyQuery: "The query is empty."
        case .queryTooLong(let limit): "The query is longer than \(limit) characters."
        case .llmNotConfigured: "No LLM provider is configured: set OPENAI_API_KEY or ANTHROPIC_API_KEY, or LLM_PROVIDER."
        case .llmFailed(let error): error.reason
        }
    }
}
