import QueryParsing

extension QueryParsingError: APIErrorConvertible {
    /// A bad query is the client's (400); an LLM that fails with no fallback asked for is upstream's (502).
    public var apiError: APIError {
        switch self {
        case .emptyQuery, .queryTooLong: .invalidRequest(message, details: ["field": "query"])
        case .llmNotConfigured: APIError.unavailable(message)
        case .llmFailed: APIError(.badGateway, message: message)
        }
    }
}
