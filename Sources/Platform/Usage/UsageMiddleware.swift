import Accounts
import Foundation
import HTTPTypes
import Hummingbird

/// Records a usage event for every authenticated request that got a response, before it leaves.
///
/// Sits outside ``ErrorMiddleware``, so 4xx and 429 answers are recorded with their final status.
public struct UsageMiddleware<Context: RequestContext>: RouterMiddleware {
    let recorder: UsageRecorder
    let routes: RouteTable

    public init(recorder: UsageRecorder, routes: RouteTable) {
        self.recorder = recorder
        self.routes = routes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard let scope = RequestScope.current, let principal = scope.principal else { return response }
        let elapsed = ContinuousClock.now - scope.startedAt
        await recorder.record(
            UsageEvent(
                requestID: scope.requestID, accountID: principal.accountID, keyID: principal.keyID,
                route: routes.route(of: request.uri.path, endpointPath: context.endpointPath), method: request.method.rawValue,
                status: response.status.code, cost: scope.cost,
                latencyMilliseconds: elapsed.milliseconds,
                occurredAt: scope.receivedAt, cacheHit: scope.cacheHit))
        return response
    }
}
