import AsyncHTTPClient
import Foundation
import NIOCore

/// GETs a provider's JSON under a search's deadline, through the address guard (every redirect hop
/// too, `GuardedHTTP`), with an optional response cache. Secret parameters (API keys, client ids) are
/// sent but never part of a cache key.
public struct ProviderClient: Sendable {
    /// Redirects followed at most (an API moving to a new path, a missing trailing slash).
    public static let maxRedirects = 3

    public let guardrail: AddressGuard
    public let cache: (any ResponseCache)?
    /// Largest answer read.
    public let maxResponseBytes: Int

    public init(guardrail: AddressGuard = AddressGuard(), cache: (any ResponseCache)? = nil, maxResponseBytes: Int = 4 << 20) {
        self.guardrail = guardrail
        self.cache = cache
        self.maxResponseBytes = maxResponseBytes
    }

    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
        public var headers: [(String, String)]
        public var fromCache: Bool

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    /// `base` + `path` with `query` and `secrets` as URL parameters.
    ///
    /// - Parameter cacheTTL: when set, a 200 answer is cached under the URL without `secrets`, and a
    ///   cached one is returned without asking.
    func get(
        base: URL, path: String, query: [(String, String)], secrets: [(String, String)] = [], cacheTTL: Duration? = nil,
        deadline: ContinuousClock.Instant
    ) async throws(CatalogError) -> Response {
        let cacheKey = Self.url(base: base, path: path, query: query)?.absoluteString ?? ""
        if let cacheTTL, cacheTTL > .zero, let cache, let body = await cache.cachedResponse(forKey: cacheKey) {
            return Response(status: 200, body: body, headers: [], fromCache: true)
        }
        guard let url = Self.url(base: base, path: path, query: query + secrets) else {
            throw .malformed("the request URL could not be built")
        }
        let remaining = deadline - .now
        guard remaining > .zero else { throw .timeout }
        let http = GuardedHTTP(guardrail: guardrail, maxRedirects: Self.maxRedirects)
        let response: Response
        do {
            let answer = try await http.get(
                url, headers: [("accept", "application/json"), ("user-agent", "MusicForge/1 (music search)")],
                deadline: .now() + TimeAmount(remaining))
            var body = try await answer.body.collect(upTo: maxResponseBytes)
            response = Response(
                status: Int(answer.status.code), body: body.readBytes(length: body.readableBytes) ?? [],
                headers: answer.headers.map { ($0.name, $0.value) }, fromCache: false)
        } catch {
            throw Self.catalogError(error, deadline: deadline, maxResponseBytes: maxResponseBytes)
        }
        if response.status == 200, let cacheTTL, cacheTTL > .zero, let cache {
            await cache.storeResponse(response.body, forKey: cacheKey, ttl: cacheTTL)
        }
        return response
    }

    /// What a failed request or body read means to a search.
    private static func catalogError(_ error: any Error, deadline: ContinuousClock.Instant, maxResponseBytes: Int) -> CatalogError {
        switch error {
        case GuardedHTTP.Failure.refused(let refusal): return .addressNotAllowed(refusal.description)
        case GuardedHTTP.Failure.tooManyRedirects: return .unreachable("more than \(maxRedirects) redirects")
        case GuardedHTTP.Failure.transport(let underlying):
            return catalogError(underlying, deadline: deadline, maxResponseBytes: maxResponseBytes)
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout:
            return .timeout
        case is NIOTooManyBytesError: return .malformed("the answer is larger than \(maxResponseBytes) bytes")
        default: return deadline - .now <= .zero ? .timeout : .unreachable(String(describing: error))
        }
    }

    static func url(base: URL, path: String, query: [(String, String)]) -> URL? {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        return components?.url
    }
}

/// JSON reading helpers for providers' answers.
enum ProviderJSON {
    static func object(_ bytes: [UInt8]) throws(CatalogError) -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw .malformed("not a JSON object")
        }
        return object
    }

    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: text.isEmpty ? nil : text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    static func number(_ value: Any?) -> Double? {
        switch value {
        case let number as NSNumber: number.doubleValue
        case let text as String: Double(text)
        default: nil
        }
    }

    static func bool(_ value: Any?) -> Bool? {
        switch value {
        case let flag as Bool: flag
        case let number as NSNumber: number.intValue != 0
        case let text as String: ["1", "true", "yes"].contains(text.lowercased())
        default: nil
        }
    }
}
