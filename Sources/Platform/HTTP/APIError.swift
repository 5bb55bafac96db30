import Core
import Foundation
import HTTPTypes

/// An error as a client sees it: a status, a stable code, one human sentence and optional details.
///
/// Every module throws its own typed errors; ``ErrorMiddleware`` maps them to this, and this to the
/// body of openapi.yaml's `ErrorResponse`, in one place.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var details: [String: JSONValue]
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, code: String? = nil, message: String, details: [String: JSONValue] = [:],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code ?? Self.code(for: status)
        self.message = message
        self.details = details
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public static func invalidRequest(_ message: String, details: [String: JSONValue] = [:]) -> APIError {
        APIError(.badRequest, message: message, details: details)
    }

    public static func notFound(_ message: String) -> APIError {
        APIError(.notFound, message: message)
    }

    public static func unavailable(_ message: String, details: [String: JSONValue] = [:], retryAfter: Int? = nil) -> APIError {
        var headers = HTTPFields()
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return APIError(.serviceUnavailable, message: message, details: details, headers: headers)
    }

    /// The answer is ready but in no type the request's `Accept` header admits.
    public static let notAcceptable = APIError(
        .notAcceptable, message: "The response is not available in a type the Accept header admits.")

    /// A route whose behaviour a later version fills in.
    public static func notImplemented(_ what: String) -> APIError {
        APIError(.notImplemented, message: "\(what) is not implemented yet.")
    }

    /// The contract's code for a status (openapi.yaml's list).
    public static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400, 422: "INVALID_REQUEST"
        case 401: "UNAUTHORIZED"
        case 403: "FORBIDDEN"
        case 404: "NOT_FOUND"
        case 405: "METHOD_NOT_ALLOWED"
        case 413: "PAYLOAD_TOO_LARGE"
        case 415: "UNSUPPORTED_MEDIA"
        case 429: "RATE_LIMITED"
        case 501: "NOT_IMPLEMENTED"
        case 502, 504: "UPSTREAM_ERROR"
        case 503: "UNAVAILABLE"
        case 400..<500: "INVALID_REQUEST"
        default: "INTERNAL"
        }
    }

    /// The JSON body: `{"error": {"code", "message", "details", "request_id"}}`, keys sorted.
    ///
    /// Written by hand: refusals (401, 429) can come by the thousand per second, and a `JSONEncoder`
    /// costs several times more than the rest of answering them.
    public func body(requestID: String) -> [UInt8] {
        var json = #"{"error":{"code":"#
        JSONText.appendString(code, to: &json)
        if !details.isEmpty {
            json += #","details":"#
            JSONValue.object(details).append(to: &json)
        }
        json += #","message":"#
        JSONText.appendString(message, to: &json)
        json += #","request_id":"#
        JSONText.appendString(requestID, to: &json)
        json += "}}"
        return Array(json.utf8)
    }
}
