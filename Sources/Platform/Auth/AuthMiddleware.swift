import Accounts
import Foundation
import HTTPTypes
import Hummingbird

/// Requires a valid API key on `/v1/` routes (`Authorization: Bearer <key>` or `X-API-Key: <key>`),
/// and an admin key on `/v1/admin/` routes. Health, metrics and the contract stay public.
public struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let verifier: KeyVerifier

    public init(verifier: KeyVerifier) {
        self.verifier = verifier
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/v1/") else { return try await next(request, context) }
        let record: KeyRecord
        do {
            record = try await verifier.verify(try Self.presentedKey(request))
        } catch {
            throw Self.apiError(error)
        }
        RequestScope.current?.principal = Principal(record)
        if path.hasPrefix("/v1/admin/"), !record.isAdmin {
            throw APIError(.forbidden, message: "This route needs an admin key.")
        }
        return try await next(request, context)
    }

    /// The key a request presents, read from the header's bytes without splitting it up.
    static func presentedKey(_ request: Request) throws(AuthenticationError) -> Substring {
        if let authorization = request.headers[.authorization] {
            // `<scheme> <key>`: the scheme is "Bearer" in any case, then one or more spaces.
            let value = Substring(authorization)
            let bytes = value.utf8
            let space = UInt8(ascii: " ")
            guard let schemeStart = bytes.firstIndex(where: { $0 != space }),
                let schemeEnd = bytes[schemeStart...].firstIndex(of: space),
                bytes[schemeStart..<schemeEnd].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 })
            else { throw .malformed }
            let key = trimmed(value[schemeEnd...])
            guard !key.isEmpty else { throw .malformed }
            return key
        }
        if let key = request.headers[.xAPIKey] { return trimmed(Substring(key)) }
        throw .missing
    }

    /// Without spaces or tabs at either end, working on the UTF-8 bytes (header values are short and
    /// rarely padded; grapheme-level trimming costs more than the rest of the key check).
    private static func trimmed(_ value: Substring) -> Substring {
        let bytes = value.utf8
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return Substring(bytes[first...last])
    }

    static func apiError(_ error: AuthenticationError) -> APIError {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer realm=\"musicforge\""
        switch error {
        case .missing:
            return APIError(
                .unauthorized, message: "An API key is required: send Authorization: Bearer <key> or X-API-Key.", headers: headers)
        case .malformed:
            return APIError(.unauthorized, message: "The API key is malformed.", headers: headers)
        case .unknown:
            return APIError(.unauthorized, message: "The API key is not valid.", headers: headers)
        case .revoked:
            return APIError(.unauthorized, message: "The API key has been revoked.", headers: headers)
        case .expired:
            return APIError(.unauthorized, message: "The API key has expired.", headers: headers)
        case .storeUnavailable:
            return .unavailable("API keys cannot be checked right now.", retryAfter: 5)
        }
    }
}

extension HTTPField.Name {
    static let xAPIKey = Self("X-API-Key")!
}
