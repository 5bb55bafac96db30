import Accounts
extension KeyStoreError: APIErrorConvertible {
    /// A key that is gone (revoked, expired or never made) is a 404, whichever step noticed it. An account
    /// or key name of the wrong shape is a 400: openapi.yaml's patterns refuse both.
    public var apiError: APIError {
        switch self {
        case .notFound: .notFound(description)
        case .invalidAccountName: APIError.invalidRequest(description, details: ["field": "account"])
        case .invalidName: APIError.invalidRequest(description, details: ["field": "name"])
        }
    }
}
