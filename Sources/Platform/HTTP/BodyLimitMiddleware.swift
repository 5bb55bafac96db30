import HTTPTypes
import Hummingbird
import NIOCore

/// Caps the size of every request body before a handler reads it: 413 `PAYLOAD_TOO_LARGE` beyond.
///
/// The generated server collects a JSON body whole with no bound of its own, so without this a client
/// could make the server hold any amount of memory. A declared `Content-Length` over the cap is refused
/// before a byte of the body is read; a chunked body is counted as it streams and refused once it
/// passes the cap. Multipart uploads get the audio cap and room for their part headers; everything else
/// is a small JSON document.
public struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    /// For JSON and anything that is not an upload: a search or analysis request is well under 1 KiB.
    public static var documentBytes: Int { 1024 * 1024 }
    /// For `multipart/form-data`: the 50 MB of audio, and 1 MiB for the boundaries and part headers.
    public static var uploadBytes: Int { APIHandlers.maxAudioBytes + 1024 * 1024 }

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let limit = Self.limit(contentType: request.headers[.contentType])
        if let declared = request.headers[.contentLength] {
            // NIO's decoder has already refused a malformed or repeated length; the body cannot outgrow it.
            guard let length = Int(declared), length <= limit else { throw Self.tooLarge(limit) }
            return try await next(request, context)
        }
        guard request.headers[.transferEncoding] != nil else { return try await next(request, context) }
        var request = request
        request.body = RequestBody(asyncSequence: CappedBody(base: request.body, limit: limit))
        return try await next(request, context)
    }

    /// Byte by byte, as it runs on every request (``MediaType/matches(_:_:)``).
    static func limit(contentType: String?) -> Int {
        guard let contentType, MediaType.matches(contentType, "multipart/form-data") else { return documentBytes }
        return uploadBytes
    }

    /// The refusal. Hummingbird reads and drops the rest of a refused body before the next request on the
    /// connection, so memory stays bounded; a body that stops coming is closed at the idle timeout.
    static func tooLarge(_ limit: Int) -> APIError {
        APIError(
            .contentTooLarge, message: "The request body is larger than the limit of \(limit / (1024 * 1024)) MiB.",
            details: ["limit_bytes": .number(Double(limit))])
    }

    /// A body that fails with 413 once more than `limit` bytes have come.
    struct CappedBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let base: RequestBody
        let limit: Int

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: RequestBody.AsyncIterator
            let limit: Int
            var seen = 0

            mutating func next() async throws -> ByteBuffer? {
                guard let chunk = try await base.next() else { return nil }
                seen += chunk.readableBytes
                guard seen <= limit else { throw BodyLimitMiddleware.tooLarge(limit) }
                return chunk
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), limit: limit) }
    }
}
