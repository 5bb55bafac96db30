/// The outcome of spending a request's cost against every window of its tier.
public struct RateLimitDecision: Sendable, Equatable {
    /// How one window stands after the decision.
    public struct WindowState: Sendable, Equatable {
        public var window: RateLimitPolicy.Window
        /// Units that could still be spent now.
        public var remaining: Int
        /// Seconds until the window is whole again.
        public var resetSeconds: Int
    }

    public var allowed: Bool
    public var windows: [WindowState]
    /// Seconds to wait before the refused request would pass (0 when allowed).
    public var retryAfterSeconds: Int
    /// The window that refused the request.
    public var violated: RateLimitPolicy.Window?
    /// `RateLimit-Policy`: the same for every request of a tier, so worked out once per tier.
    package var policyHeader: String

    public init(
        allowed: Bool, windows: [WindowState], retryAfterSeconds: Int, violated: RateLimitPolicy.Window? = nil,
        policyHeader: String? = nil
    ) {
        self.allowed = allowed
        self.windows = windows
        self.retryAfterSeconds = retryAfterSeconds
        self.violated = violated
        self.policyHeader = policyHeader ?? Self.policyHeader(windows.map(\.window))
    }

    /// The window closest to running out: the one the single-valued headers describe.
    package var tightest: WindowState? {
        windows.min { ($0.remaining, -$0.resetSeconds) < ($1.remaining, -$1.resetSeconds) }
    }

    /// `"minute";q=300;w=60, "day";q=50000;w=86400`.
    static func policyHeader(_ windows: [RateLimitPolicy.Window]) -> String {
        windows.map { "\"\(name($0))\";q=\($0.requests);w=\($0.seconds)" }.joined(separator: ", ")
    }

    package static func name(_ window: RateLimitPolicy.Window) -> String {
        switch window.seconds {
        case 1: "second"
        case 60: "minute"
        case 3600: "hour"
        case 86_400: "day"
        default: "\(window.seconds)s"
        }
    }
}
