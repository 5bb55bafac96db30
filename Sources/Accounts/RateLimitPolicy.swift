import Foundation

/// Tiers and endpoint costs: built-in defaults, or the JSON file named by `RATE_LIMIT_TIERS`.
///
/// `{"tiers": {"free": {"limits": [{"window_seconds": 60, "requests": 30}, …]}, …}, "costs": {"search": 1, …}}`.
/// A tier with no limits is unlimited. A tier or cost the file leaves out keeps its default.
public struct RateLimitPolicy: Sendable, Equatable {
    /// One window: at most `requests` units of cost in any `seconds`.
    public struct Window: Sendable, Equatable, Codable {
        public var seconds: Int
        public var requests: Int

        public init(seconds: Int, requests: Int) {
            self.seconds = seconds
            self.requests = requests
        }

        enum CodingKeys: String, CodingKey {
            case seconds = "window_seconds"
            case requests
        }
    }

    public var tiers: [Tier: [Window]]
    public var costs: [String: Int]

    public static let endpoints = ["search", "parse", "analyze", "similar", "tracks", "usage", "keys"]

    public static let defaults = RateLimitPolicy(
        tiers: [
            .free: [Window(seconds: 60, requests: 30), Window(seconds: 86_400, requests: 1_000)],
            .pro: [Window(seconds: 60, requests: 300), Window(seconds: 86_400, requests: 50_000)],
            .enterprise: [],
        ],
        costs: ["search": 1, "parse": 1, "analyze": 2, "similar": 2, "tracks": 1, "usage": 0, "keys": 0]
    )

    public init(tiers: [Tier: [Window]], costs: [String: Int]) {
        self.tiers = tiers
        self.costs = costs
    }

    /// The windows of a tier, shortest first.
    public func windows(for tier: Tier) -> [Window] {
        (tiers[tier] ?? []).sorted { $0.seconds < $1.seconds }
    }

    /// What a request to `endpoint` costs (0 for an endpoint without a price).
    public func cost(of endpoint: String) -> Int {
        costs[endpoint] ?? 0
    }
}
