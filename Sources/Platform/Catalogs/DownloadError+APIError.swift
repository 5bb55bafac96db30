import Catalogs

extension DownloadError: APIErrorConvertible {
    /// A URL the client gave: its own fault when it is not a usable or allowed URL (400) or the audio is
    /// too large (413); the far server's when the download fails (502).
    public var apiError: APIError {
        switch self {
        case .invalidURL, .forbiddenAddress, .unresolvable:
            .invalidRequest(description, details: ["reason": .string(code.lowercased()), "field": "url"])
        case .tooLarge: APIError(.contentTooLarge, message: description)
        case .status, .tooManyRedirects, .timedOut, .transport, .tool: APIError(.badGateway, message: description)
        }
    }
}
