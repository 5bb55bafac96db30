import Foundation
import Hummingbird
import Logging
import OpenAPIRuntime

/// Turns every error into openapi.yaml's `ErrorResponse` body with the right status: the one place where errors
/// become HTTP.
///
/// - ``APIError`` keeps its status, code and message.
/// - A request the generated server could not decode (body, parameters, content type) is a 400.
/// - Hummingbird's not-found becomes 405 with `Allow` when the path exists with other methods, else 404.
/// - Redis or PostgreSQL out of reach is a 503 (``StoreOutage``).
/// - Anything else is a 500 whose details stay in the log, keyed by request id.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable
    let logger: Logger

    public init(routes: RouteTable, logger: Logger) {
        self.routes = routes
        self.logger = logger
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await respond(request, context: context, next: next)
        // Headers every answer to this request carries, errors included (rate limits).
        if let extra = RequestScope.current?.responseHeaders, !extra.isEmpty {
            for field in extra where response.headers[field.name] == nil { response.headers.append(field) }
        }
        return response
    }

    private func respond(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = map(error, request: request)
            if apiError.status.code >= 500 && apiError.status != .notImplemented && apiError.status != .serviceUnavailable {
                logger.error(
                    "request failed",
                    metadata: [
                        "request_id": "\(RequestScope.current?.requestID ?? "-")",
                        "error": "\(String(reflecting: error))",
                    ])
            }
            return Self.response(for: apiError)
        }
    }

    /// The response for an API error, with the current request's id in the body.
    public static func response(for error: APIError) -> Response {
        let body = error.body(requestID: RequestScope.current?.requestID ?? "")
        var headers = error.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func map(_ error: any Error, request: Request) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as ServerError:
            if let apiError = error.underlyingError as? APIError { return apiError }
            if let mapped = error.underlyingError as? any APIErrorConvertible { return mapped.apiError }
            if let outage = StoreOutage.apiError(for: error.underlyingError) { return outage }
            if error.operationInput == nil {
                // The generated server failed before the handler ran: the request did not fit the contract.
                return .contractViolation(error.underlyingError, operation: error.operationID)
            }
            if let refusal = error.underlyingError as? any HTTPResponseConvertible, refusal.httpStatus == .notAcceptable {
                // The answer is ready but not in a type the request's Accept admits.
                return .notAcceptable
            }
            return APIError(.internalServerError, message: "An internal error occurred.")
        case let error as any APIErrorConvertible:
            return error.apiError
        case let error as HTTPError:
            return map(error, request: request)
        case let error as any HTTPResponseError:
            return APIError(error.status, message: Self.sentence(for: error.status))
        default:
            return StoreOutage.apiError(for: error) ?? APIError(.internalServerError, message: "An internal error occurred.")
        }
    }

    private func map(_ error: HTTPError, request: Request) -> APIError {
        if error.status == .notFound {
            let allowed = routes.allowedMethods(for: request.uri.path)
            if !allowed.isEmpty {
                var headers = HTTPFields()
                headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                return APIError(
                    .methodNotAllowed,
                    message:
                        "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(allowed.map(\.rawValue).joined(separator: " or ")).",
                    details: ["allowed_methods": .array(allowed.map { .string($0.rawValue) })],
                    headers: headers)
            }
            return .notFound("There is no route \(request.uri.path).")
        }
        return APIError(error.status, message: error.body ?? Self.sentence(for: error.status), headers: error.headers)
    }

    private static func sentence(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "The request is not valid."
        case 413: "The request body is too large."
        case 415: "The content type is not supported."
        default: status.reasonPhrase.isEmpty ? "The request failed." : status.reasonPhrase + "."
        }
    }
}

/// A module error that knows its HTTP meaning.
public protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}

extension APIError {
    /// A request that does not fit `openapi.yaml` (body, parameters, content type): a 400 naming what
    /// is wrong, for the generated server's decoding failures and hand-written routes alike.
    static func contractViolation(_ underlying: any Error, operation: String) -> APIError {
        .invalidRequest(
            "The request does not match the API contract: \(clientDescription(of: underlying)).",
            details: ["operation": .string(operation)])
    }

    /// What went wrong decoding, in words for the client (no internal type names).
    private static func clientDescription(of underlying: any Error) -> String {
        if let decoding = underlying as? DecodingError {
            switch decoding {
            case .dataCorrupted(let context): return "the body is not valid JSON (\(context.debugDescription))"
            case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is required"
            case .typeMismatch(_, let context), .valueNotFound(_, let context):
                return "\(path(context.codingPath)) has the wrong type"
            @unknown default: return "the body could not be decoded"
            }
        }
        let text = "\(underlying)"
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        let joined = codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return joined.isEmpty ? "the body" : "`\(joined)`"
    }
}
