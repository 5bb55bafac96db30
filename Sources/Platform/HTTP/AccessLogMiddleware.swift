import Hummingbird
import Logging

/// One JSON log line and one metrics sample per request, with the route template it matched.
///
/// Sits outside ``ErrorMiddleware``, so it sees the final status of every answer, errors included.
public struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let metrics: HTTPMetrics
    let routes: RouteTable

    public init(logger: Logger, metrics: HTTPMetrics, routes: RouteTable) {
        self.logger = logger
        self.metrics = metrics
        self.routes = routes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let duration = ContinuousClock.now - start
        // The template keeps label cardinality bounded: /v1/tracks/{id}, never one series per id.
        let route = routes.route(of: request.uri.path, endpointPath: context.endpointPath)
        metrics.record(method: request.method.rawValue, route: route, status: response.status.code, duration: duration)
        let milliseconds = duration.milliseconds
        logger.info(
            "request",
            metadata: [
                "request_id": "\(RequestScope.current?.requestID ?? "-")",
                "method": "\(request.method.rawValue)",
                "route": "\(route)",
                "status": "\(response.status.code)",
                "duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
            ])
        return response
    }
}
