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
        if let contentType = request.headers[.contentType], !MediaType.matches(contentType, "application/json") {
            throw APIError.contractViolation(UnexpectedContentType(received: contentType), operation: Self.operation)
        }
        if let accept = request.headers[.accept], !Self.admitsJSON(accept) {
            throw APIError.notAcceptable
        }
        let body = try await request.body.collect(upTo: Self.maximumBodyBytes)
        let query: String
        if let plain = Self.plainQuery(in: body) {
            query = plain
        } else {
            do {
                query = try body.withUnsafeReadableBytes { bytes in
                    try JSONDecoder().decode(Components.Schemas.ParseRequest.self, from: Data(bytes)).query
                }
            } catch {
                throw APIError.contractViolation(error, operation: Self.operation)
            }
        }
        let filters = try await parser.parse(query)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: FiltersJSON.encode(filters))))
    }

    /// The query of a body that is exactly `{"query": "<text without escapes>"}`, any spacing, read
    /// without a decoder. Anything else (escapes, other keys, invalid UTF-8, not JSON) is nil, and the
    /// generated type's decoder reads it and words any error.
    static func plainQuery(in body: ByteBuffer) -> String? {
        body.withUnsafeReadableBytes { bytes -> String? in
            var index = 0
            func skipSpaces() {
                while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
                    index += 1
                }
            }
            func take(_ text: StaticString) -> Bool {
                skipSpaces()
                return text.withUTF8Buffer { wanted in
                    guard bytes.count - index >= wanted.count, bytes[index..<(index + wanted.count)].elementsEqual(wanted) else {
                        return false
                    }
                    index += wanted.count
                    return true
                }
            }
            guard take("{"), take("\"query\""), take(":"), take("\"") else { return nil }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\") || bytes[index] < 0x20 { return nil }
                index += 1
            }
            guard index < bytes.count else { return nil }
            let end = index
            index += 1
            guard take("}") else { return nil }
            skipSpaces()
            guard index == bytes.count else { return nil }
            return String(validating: bytes[start..<end], as: UTF8.self)
        }
    }

    /// Whether an `Accept` header lets the answer be JSON (an empty one admits anything).
    static func admitsJSON(_ accept: String) -> Bool {
        let ranges = accept.split(separator: ",").filter { !$0.allSatisfy { $0 == " " || $0 == "\t" } }
        return ranges.isEmpty
            || ranges.contains {
                MediaType.matches($0, "application/json") || MediaType.matches($0, "application/*") || MediaType.matches($0, "*/*")
            }
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
