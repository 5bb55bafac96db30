import Catalogs

extension DownloadError: APIErrorConvertible {
    /// A URL the client gave, already of the contract's shape (the handlers refuse others with 400): its
    /// own fault when it cannot be used or is not allowed (422) or the audio is too large (413); the far
    /// server's when the download fails (502).
    public var apiError: APIError {
        switch self {
        case .invalidURL, .forbiddenAddress, .unresolvable:
            APIError(.unprocessableContent, message: description, details: ["reason": .string(code.lowercased()), "field": "url"])
        case .tooLarge: APIError(.contentTooLarge, message: description)
        case .status, .tooManyRedirects, .timedOut, .transport, .tool: APIError(.badGateway, message: description)
        }
    }
}
