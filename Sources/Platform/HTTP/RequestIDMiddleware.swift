import Foundation
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    public static let requestID = Self("X-Request-Id")!
}

/// Gives every request an id: a sane incoming `X-Request-Id` is kept, anything else is replaced.
///
/// The id is echoed on every response, errors included, and is the primary key of the request's usage event.
public struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = request.headers[.requestID].flatMap { Self.isSane($0) ? $0 : nil } ?? Self.generate()
        let scope = RequestScope(requestID: id)
        var response = try await RequestScope.$current.withValue(scope) {
            try await next(request, context)
        }
        response.headers[.requestID] = id
        return response
    }

    /// 1 to 128 characters of letters, digits, `-`, `_`, `.` or `:`: safe in logs, headers and keys.
    static func isSane(_ value: String) -> Bool {
        (1...128).contains(value.utf8.count)
            && value.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
            }
    }

    /// `req_`, the time in milliseconds (12 hex digits) and 48 random bits (12 hex digits): unique without
    /// coordination, and in time order, so the usage table's primary key grows at its end instead of
    /// being written all over (several times cheaper for PostgreSQL to insert).
    static func generate(at date: Date = Date()) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        var generator = SystemRandomNumberGenerator()
        let random = UInt64.random(in: 0...0xFFFF_FFFF_FFFF, using: &generator)
        return "req_" + hex(milliseconds, width: 12) + hex(random, width: 12)
    }

    private static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
