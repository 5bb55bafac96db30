import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime
import QueryParsing

/// `POST /v1/parse`, served by hand instead of through the generated server.
///
/// The cheapest authenticated route is the one clients call as a user types, and the generated layer
/// (its `JSONEncoder` above all) cost more than parsing the query. This route keeps the contract's
/// behaviour: the generated request type and its decoding errors, the content type and `Accept`
/// checks, and the same JSON out (``FiltersJSON``). Everything else the generated server serves.
struct ParseRoute: Sendable {
    static let route = RouteTable.Route(method: .post, template: "/v1/parse")
    static let operation = "parseQuery"
    /// A query is at most 500 characters; a body far larger is refused before it is read whole.
    static let maximumBodyBytes = 64 * 1024

    let parser: QueryParser

    func respond(to request: Request) async throws -> Response {
        if let contentType = request.headers[.contentType], Self.mediaType(contentType) != "application/json" {
            throw APIError.contractViolation(UnexpectedContentType(received: contentType), operation: Self.operation)
        }
        if let accept = request.headers[.accept], !Self.admitsJSON(accept) {
            throw APIError(.notAcceptable, message: "The response is not available in a type the Accept header admits.")
        }
        let body = try await request.body.collect(upTo: Self.maximumBodyBytes)
        let input: Components.Schemas.ParseRequest
        do {
            input = try body.withUnsafeReadableBytes { bytes in
                try JSONDecoder().decode(Components.Schemas.ParseRequest.self, from: Data(bytes))
            }
        } catch {
            throw APIError.contractViolation(error, operation: Self.operation)
        }
        let filters = try await parser.parse(input.query)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: FiltersJSON.encode(filters))))
    }

    /// `type/subtype` of a content type, lower case, parameters dropped.
    private static func mediaType(_ value: some StringProtocol) -> String {
        let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return type.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Whether an `Accept` header lets the answer be JSON (an empty one admits anything).
    static func admitsJSON(_ accept: String) -> Bool {
        let ranges = accept.split(separator: ",").map { mediaType($0) }.filter { !$0.isEmpty }
        return ranges.isEmpty || ranges.contains { $0 == "application/json" || $0 == "application/*" || $0 == "*/*" }
    }

    private struct UnexpectedContentType: Error, CustomStringConvertible {
        var received: String
        var description: String { "Unexpected content type, expected: application/json, received: \(received)" }
    }
}

/// Registers the generated routes except those served by hand.
struct ExcludingTransport: ServerTransport {
    let base: any ServerTransport
    let excluded: Set<RouteTable.Route>

    func register(
        _ handler: @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
        method: HTTPRequest.Method,
        path: String
    ) throws {
        guard !excluded.contains(RouteTable.Route(method: method, template: path)) else { return }
        try base.register(handler, method: method, path: path)
    }
}
