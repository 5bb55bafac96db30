extension KeyStoreError: APIErrorConvertible {
    /// A key that is gone (revoked, expired or never made) is a 404, whichever step noticed it; a bad
    /// account name (422, as the contract documents for `POST /v1/keys`) or key name (400) is the client's.
    public var apiError: APIError {
        switch self {
        case .notFound: .notFound(description)
        case .invalidAccountName: APIError(.unprocessableContent, message: description, details: ["field": "account"])
        case .invalidName: APIError.invalidRequest(description, details: ["field": "name"])
        }
    }
}
