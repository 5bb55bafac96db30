import Foundation
import HTTPTypes

/// An error as a client sees it: a status, a stable code, one human sentence and optional details.
///
/// Every module throws its own typed errors; ``ErrorMiddleware`` maps them to this, and this to the
/// body of DESIGN.md, in one place.
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

    /// The contract's code for a status (DESIGN.md's list).
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

/// A JSON value for free-form `details`.
public enum JSONValue: Sendable, Equatable, Decodable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral
{
    case string(String)
    case number(Double)
    case bool(Bool)
    case object([String: JSONValue])
    case array([JSONValue])
    case null

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

    /// Appends this value as compact JSON, object keys sorted.
    func append(to json: inout String) {
        switch self {
        case .string(let value): JSONText.appendString(value, to: &json)
        case .number(let value): JSONText.appendNumber(value, to: &json)
        case .bool(let value): json += value ? "true" : "false"
        case .null: json += "null"
        case .array(let values):
            json += "["
            for (index, value) in values.enumerated() {
                if index > 0 { json += "," }
                value.append(to: &json)
            }
            json += "]"
        case .object(let values):
            json += "{"
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { json += "," }
                JSONText.appendString(key, to: &json)
                json += ":"
                values[key]!.append(to: &json)
            }
            json += "}"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}
