import Foundation
import Logging
import Prometheus
import Synchronization

/// Spends a request's cost against all of its tier's windows at once, or refuses it whole.
///
/// The algorithm is GCRA (the generic cell rate algorithm, ITU-T I.371) per window: a window of
/// `requests` per `seconds` keeps a theoretical arrival time (TAT) that each unit of cost pushes
/// `seconds / requests` further. A request passes only if no window's TAT would run more than a window
/// ahead of now, so bursts are capped at one window's quota and there is no 2x burst at window edges.
/// The check and the spend happen in one Lua script, with Redis's own clock; keys are hash-tagged by
/// API key so the script runs on Redis Cluster. When Redis is down, ``failurePolicy`` decides: a
/// per-process limiter with the same windows (`local`), or refusal with 503 (`closed`).
public final class RateLimiter: Sendable {
    public enum Outcome: Sendable, Equatable {
        case decided(RateLimitDecision)
        /// Redis is down and the policy is `closed`.
        case unavailable
    }

    let redis: RedisClient
    public let policy: RateLimitPolicy
    let failurePolicy: AppConfiguration.RateLimitFailurePolicy
    let logger: Logger
    let registry: PrometheusCollectorRegistry?
    private let local = LocalRateLimiter()
    private let usingFallback = Atomic<Bool>(false)

    static let script = RedisScript(
        """
        -- KEYS: one per window. ARGV[1]: cost; then per window: seconds, requests.
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local cost = tonumber(ARGV[1])
        local allowed = 1
        local retry = 0
        local violated = 0
        local tats = {}
        local out = {}
        for i = 1, #KEYS do
          local period = tonumber(ARGV[2 * i]) * 1000000
          local interval = period / tonumber(ARGV[2 * i + 1])
          local tat = tonumber(redis.call('GET', KEYS[i]) or now)
          if tat < now then tat = now end
          local new_tat = tat + cost * interval
          local allow_at = new_tat - period
          if allow_at > now then
            allowed = 0
            if allow_at - now > retry then retry = allow_at - now; violated = i end
            tats[i] = tat
          else
            tats[i] = new_tat
          end
        end
        for i = 1, #KEYS do
          local period = tonumber(ARGV[2 * i]) * 1000000
          local interval = period / tonumber(ARGV[2 * i + 1])
          if allowed == 1 and tats[i] > now then
            redis.call('SET', KEYS[i], string.format('%.0f', tats[i]), 'PX', math.ceil((tats[i] - now) / 1000) + 1000)
          end
          out[2 * i - 1] = math.floor((now + period - tats[i]) / interval)
          out[2 * i] = math.ceil((tats[i] - now) / 1000000)
        end
        return {allowed, math.ceil(retry / 1000000), violated, out}
        """)

    public init(
        redis: RedisClient, policy: RateLimitPolicy, failurePolicy: AppConfiguration.RateLimitFailurePolicy, logger: Logger,
        registry: PrometheusCollectorRegistry? = nil
    ) {
        self.redis = redis
        self.policy = policy
        self.failurePolicy = failurePolicy
        self.logger = logger
        self.registry = registry
    }

    /// Decides on a request of `cost` for the key `keyID` of `tier`. Unlimited tiers never touch Redis.
    public func check(keyID: String, tier: Tier, cost: Int) async -> Outcome {
        let windows = policy.windows(for: tier)
        guard !windows.isEmpty else { return .decided(RateLimitDecision(allowed: true, windows: [], retryAfterSeconds: 0)) }
        let keys = windows.map { "rl:{\(keyID)}:\($0.seconds)" }
        let arguments = [String(cost)] + windows.flatMap { [String($0.seconds), String($0.requests)] }
        do {
            let reply = try await redis.evaluate(Self.script, keys: keys, arguments: arguments)
            if usingFallback.exchange(false, ordering: .relaxed) {
                logger.notice("rate limiting is back on Redis")
            }
            return .decided(try Self.decision(from: reply, windows: windows))
        } catch {
            // Redis away or the script refused: either way the failure policy decides.
            return fallback(keys: keys, windows: windows, cost: cost, error: error)
        }
    }

    private func fallback(keys: [String], windows: [RateLimitPolicy.Window], cost: Int, error: RedisError) -> Outcome {
        registry?.makeCounter(
            descriptor: .init(
                metricName: "rate_limit_redis_failures", unitName: "total",
                helpText: "Rate limit checks that could not reach Redis."),
            labels: [("policy", failurePolicy.rawValue)]
        ).increment()
        if !usingFallback.exchange(true, ordering: .relaxed) {
            logger.error(
                "Redis is unreachable: rate limiting falls back",
                metadata: ["policy": "\(failurePolicy.rawValue)", "error": "\(error)"])
        }
        switch failurePolicy {
        case .closed: return .unavailable
        case .local: return .decided(local.check(keys: keys, windows: windows, cost: cost, now: Date()))
        }
    }

    static func decision(from reply: RedisValue, windows: [RateLimitPolicy.Window]) throws(RedisError) -> RateLimitDecision {
        guard let parts = reply.array, parts.count == 4, let allowed = parts[0].int, let retry = parts[1].int,
            let violated = parts[2].int, let states = parts[3].array, states.count == windows.count * 2
        else { throw .server("unexpected rate limit script reply \(reply)") }
        let windowStates = windows.indices.map { index in
            RateLimitDecision.WindowState(
                window: windows[index], remaining: max(0, states[2 * index].int ?? 0), resetSeconds: max(0, states[2 * index + 1].int ?? 0))
        }
        return RateLimitDecision(
            allowed: allowed == 1, windows: windowStates, retryAfterSeconds: retry,
            violated: violated > 0 ? windows[violated - 1] : nil)
    }
}

/// The same GCRA in process memory: the stand-in while Redis is unreachable (`RATE_LIMIT_FAILURE=local`).
final class LocalRateLimiter: Sendable {
    private let tats = Mutex<[String: Double]>([:])

    func check(keys: [String], windows: [RateLimitPolicy.Window], cost: Int, now date: Date) -> RateLimitDecision {
        let now = date.timeIntervalSince1970
        return tats.withLock { tats in
            var allowed = true
            var retry = 0.0
            var violated: RateLimitPolicy.Window?
            var next: [Double] = []
            for (key, window) in zip(keys, windows) {
                let period = Double(window.seconds)
                let interval = period / Double(window.requests)
                let tat = max(tats[key] ?? now, now)
                let newTAT = tat + Double(cost) * interval
                if newTAT - period > now {
                    allowed = false
                    if newTAT - period - now > retry {
                        retry = newTAT - period - now
                        violated = window
                    }
                    next.append(tat)
                } else {
                    next.append(newTAT)
                }
            }
            if allowed { for (key, tat) in zip(keys, next) { tats[key] = tat } }
            let states = zip(windows, next).map { window, tat in
                let period = Double(window.seconds)
                let interval = period / Double(window.requests)
                return RateLimitDecision.WindowState(
                    window: window, remaining: max(0, Int(((now + period - tat) / interval).rounded(.down))),
                    resetSeconds: max(0, Int((tat - now).rounded(.up))))
            }
            return RateLimitDecision(allowed: allowed, windows: states, retryAfterSeconds: Int(retry.rounded(.up)), violated: violated)
        }
    }
}
