import Accounts
import Foundation
import HTTPTypes
import Hummingbird

/// Charges each authenticated request its endpoint's cost, all windows at once; refuses with 429.
///
/// Rate limit headers go into the request scope, so every response carries them, errors included.
public struct RateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limiter: RateLimiter

    public init(limiter: RateLimiter) {
        self.limiter = limiter
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let scope = RequestScope.current, let principal = scope.principal else { return try await next(request, context) }
        let cost = limiter.policy.cost(of: Self.endpoint(forPath: request.uri.path))
        switch await limiter.check(keyID: principal.keyID, tier: principal.tier, cost: cost) {
        case .unavailable:
            throw APIError.unavailable("Rate limits cannot be checked right now.", retryAfter: 1)
        case .decided(let decision):
            scope.updateResponseHeaders { decision.append(to: &$0) }
            guard decision.allowed else {
                let window = decision.violated ?? decision.windows[0].window
                throw APIError(
                    .tooManyRequests,
                    message:
                        "Rate limit of \(window.requests) per \(RateLimitDecision.name(window)) reached; retry in \(max(1, decision.retryAfterSeconds)) s.",
                    details: [
                        "window_seconds": .number(Double(window.seconds)), "limit": .number(Double(window.requests)),
                        "cost": .number(Double(cost)), "retry_after_seconds": .number(Double(max(1, decision.retryAfterSeconds))),
                    ])
            }
            scope.cost = cost
        }
        return try await next(request, context)
    }

    /// The priced endpoint a path belongs to: `/v1/search` → `search`, `/v1/admin/usage` → `usage`.
    static func endpoint(forPath path: String) -> String {
        let segments = path.split(separator: "/")
        guard segments.count >= 2, segments[0] == "v1" else { return "" }
        if segments[1] == "admin", segments.count >= 3 { return String(segments[2]) }
        return String(segments[1])
    }
}
