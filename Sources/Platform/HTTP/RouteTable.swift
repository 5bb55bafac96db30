import HTTPTypes
import OpenAPIRuntime
import Synchronization

/// Every route of the API (method and path template), taken from the generated server itself.
///
/// It lets a wrong method be told from an unknown path (405 with `Allow` versus 404), and gives the
/// template a request matched for logs and metrics, without a second list to keep in step with the spec.
public struct RouteTable: Sendable {
    public struct Route: Sendable, Hashable {
        public var method: HTTPRequest.Method
        public var template: String
    }

    public private(set) var routes: [Route] = []
    /// Each route's template split into segments once, not on every lookup.
    private var parts: [[Substring]] = []

    public init(routes: [Route] = []) {
        self.routes = routes
        self.parts = routes.map { $0.template.split(separator: "/") }
    }

    /// Collects the routes that `register` adds to a transport.
    public init(collecting register: (any ServerTransport) throws -> Void) rethrows {
        let collector = Collector()
        try register(collector)
        self.init(routes: collector.routes.withLock { $0 })
    }

    /// The route template a request matched, for logs, metrics and usage: the router's own answer when it
    /// found the route, else the table's (a wrong method still names its path), else `unmatched`.
    public func route(of path: String, endpointPath: String?) -> String {
        if let endpointPath, endpointPath != "NotFound" { return endpointPath }
        return template(matching: path) ?? "unmatched"
    }

    /// The template that matches `path`, if any route's does.
    public func template(matching path: some StringProtocol) -> String? {
        let segments = Self.segments(path)
        return routes.indices.first { Self.matches(parts[$0], segments: segments) }.map { routes[$0].template }
    }

    /// Methods allowed on `path`; empty when no route has this path.
    public func allowedMethods(for path: some StringProtocol) -> [HTTPRequest.Method] {
        let segments = Self.segments(path)
        var methods: [HTTPRequest.Method] = []
        for (route, parts) in zip(routes, parts) where Self.matches(parts, segments: segments) && !methods.contains(route.method) {
            methods.append(route.method)
        }
        return methods
    }

    private static func segments(_ path: some StringProtocol) -> [Substring] {
        let path = String(path)
        let withoutQuery = path.firstIndex(of: "?").map { path[..<$0] } ?? path[...]
        return withoutQuery.split(separator: "/")
    }

    private static func matches(_ parts: [Substring], segments: [Substring]) -> Bool {
        guard parts.count == segments.count else { return false }
        return zip(parts, segments).allSatisfy { part, segment in
            part.hasPrefix("{") || part.hasPrefix(":") || part == segment
        }
    }

    private final class Collector: ServerTransport, Sendable {
        let routes = Mutex<[Route]>([])

        func register(
            _ handler: @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
            method: HTTPRequest.Method,
            path: String
        ) throws {
            routes.withLock { $0.append(Route(method: method, template: path)) }
        }
    }
}
