import Accounts
import Foundation

extension RateLimitPolicy {
    /// Reads a tiers file over the defaults.
    public static func load(path: String) throws(ConfigurationError) -> RateLimitPolicy {
        let name = "RATE_LIMIT_TIERS"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .malformed(name: name, value: path, expected: "the path of a readable JSON tiers file")
        }
        struct File: Decodable {
            struct TierLimits: Decodable { var limits: [Window] }
            var tiers: [String: TierLimits]?
            var costs: [String: Int]?
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw .malformed(
                name: name, value: path,
                expected:
                    "JSON like {\"tiers\": {\"free\": {\"limits\": [{\"window_seconds\": 60, \"requests\": 30}]}}, \"costs\": {\"search\": 1}}"
            )
        }
        var policy = defaults
        for (tierName, limits) in file.tiers ?? [:] {
            guard let tier = Tier(rawValue: tierName) else {
                throw .malformed(name: name, value: path, expected: "tiers named free, pro or enterprise (found \(tierName))")
            }
            guard limits.limits.allSatisfy({ $0.seconds > 0 && $0.requests > 0 }) else {
                throw .malformed(name: name, value: path, expected: "positive window_seconds and requests in tier \(tierName)")
            }
            policy.tiers[tier] = limits.limits
        }
        for (endpoint, cost) in file.costs ?? [:] {
            guard endpoints.contains(endpoint), cost >= 0 else {
                throw .malformed(
                    name: name, value: path, expected: "costs ≥ 0 for \(endpoints.joined(separator: ", ")) (found \(endpoint))")
            }
            policy.costs[endpoint] = cost
        }
        return policy
    }
}
