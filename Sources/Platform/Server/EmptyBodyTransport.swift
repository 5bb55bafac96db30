import HTTPTypes
import OpenAPIRuntime

/// Hands the generated handlers no body at all when the request has none, rather than an empty one.
///
/// The Hummingbird transport always passes a body, and the generated server decodes whatever it is
/// given: a `POST /v1/keys/{id}/rotate` with no body (which the contract allows) would be read as empty
/// JSON and refused. A request without a body is one with `Content-Length: 0`, or with neither that
/// nor `Transfer-Encoding` (RFC 9112, section 6.3). An operation that requires a body still refuses its
/// absence with 400.
struct EmptyBodyTransport: ServerTransport {
    let base: any ServerTransport

    func register(
        _ handler: @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
        method: HTTPRequest.Method,
        path: String
    ) throws {
        try base.register(
            { request, body, metadata in try await handler(request, Self.hasNoBody(request) ? nil : body, metadata) },
            method: method, path: path)
    }

    static func hasNoBody(_ request: HTTPRequest) -> Bool {
        if let length = request.headerFields[.contentLength] { return length == "0" }
        return request.headerFields[.transferEncoding] == nil
    }
}
