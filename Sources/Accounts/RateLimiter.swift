import Foundation
import Logging
import Prometheus
import Redis
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
    let failurePolicy: RateLimitFailurePolicy
    let logger: Logger
    let registry: PrometheusCollectorRegistry?
    private let local = LocalRateLimiter()
    /// Per limited tier; an unlimited tier has none.
    private let plans: [Tier: Plan]
    private let usingFallback = Atomic<Bool>(false)

    /// A tier's windows as the script's arguments and the policy header, worked out once.
    struct Plan: Sendable {
        /// Shortest first, as ``RateLimitPolicy/windows(for:)`` gives them.
        var windows: [RateLimitPolicy.Window]
        /// Every window's seconds, then every window's requests, as the script reads them.
        var arguments: [[UInt8]]
        var policyHeader: String

        init(windows: [RateLimitPolicy.Window]) {
            self.windows = windows
            arguments = windows.map { Array(String($0.seconds).utf8) } + windows.map { Array(String($0.requests).utf8) }
            policyHeader = RateLimitDecision.policyHeader(windows)
        }
    }

    /// One hash per API key, `rl:{<key id>}`, a field per window holding its TAT in whole microseconds.
    /// KEYS[1]: the hash. ARGV[1]: the cost; then each window's seconds, shortest first; then their
    /// requests, in the same order (so the field names are one run of arguments, read without a table).
    /// Replies `{allowed, retry seconds, violated window (1-based, 0 for none), remaining, reset, …}`,
    /// one flat array: a nested one costs the script a table and the client another array to read.
    static let script = RedisScript(
        """
        local t = redis.call('TIME')
        local now = t[1] * 1000000 + t[2]
        local cost = tonumber(ARGV[1])
        local n = (#ARGV - 1) / 2
        local stored = redis.call('HMGET', KEYS[1], unpack(ARGV, 2, n + 1))
        local floor, ceil, format = math.floor, math.ceil, string.format
        local allowed, retry, violated, ttl = 1, 0, 0, 0
        local reply, kept = {0, 0, 0}, {}
        for i = 1, n do
          local period = ARGV[1 + i] * 1000000
          local interval = period / ARGV[1 + n + i]
          local tat = tonumber(stored[i]) or now
          if tat < now then tat = now end
          local new_tat = tat + cost * interval
          if new_tat - period > now then
            allowed = 0
            if new_tat - period - now > retry then retry = new_tat - period - now; violated = i end
            new_tat = tat
          end
          reply[2 + 2 * i] = floor((now + period - new_tat) / interval)
          reply[3 + 2 * i] = ceil((new_tat - now) / 1000000)
          kept[2 * i - 1] = ARGV[1 + i]
          kept[2 * i] = format('%.0f', new_tat)
          if new_tat - now > ttl then ttl = new_tat - now end
        end
        if allowed == 1 and ttl > 0 then
          redis.call('HSET', KEYS[1], unpack(kept))
          redis.call('PEXPIRE', KEYS[1], ceil(ttl / 1000) + 1000)
        end
        reply[1], reply[2], reply[3] = allowed, ceil(retry / 1000000), violated
        return reply
        """)

    public init(
        redis: RedisClient, policy: RateLimitPolicy, failurePolicy: RateLimitFailurePolicy, logger: Logger,
        registry: PrometheusCollectorRegistry? = nil
    ) {
        self.redis = redis
        self.policy = policy
        self.failurePolicy = failurePolicy
        self.logger = logger
        self.registry = registry
        var plans: [Tier: Plan] = [:]
        for tier in policy.tiers.keys {
            let windows = policy.windows(for: tier)
            if !windows.isEmpty { plans[tier] = Plan(windows: windows) }
        }
        self.plans = plans
    }

    /// Decides on a request of `cost` for the key `keyID` of `tier`. Unlimited tiers never touch Redis.
    public func check(keyID: String, tier: Tier, cost: Int) async -> Outcome {
        guard let plan = plans[tier] else { return .decided(RateLimitDecision(allowed: true, windows: [], retryAfterSeconds: 0)) }
        var key: [UInt8] = []
        key.reserveCapacity(keyID.utf8.count + 5)
        key += "rl:{".utf8
        key += keyID.utf8
        key.append(UInt8(ascii: "}"))
        var arguments: [[UInt8]] = []
        arguments.reserveCapacity(1 + plan.arguments.count)
        arguments.append(RedisClient.decimals.indices.contains(cost) ? RedisClient.decimals[cost] : Array(String(cost).utf8))
        arguments.append(contentsOf: plan.arguments)
        do {
            let reply = try await redis.evaluate(Self.script, keys: [key], arguments: arguments)
            if usingFallback.exchange(false, ordering: .relaxed) {
                logger.notice("rate limiting is back on Redis")
            }
            return .decided(try Self.decision(from: reply, plan: plan))
        } catch {
            // Redis away or the script refused: either way the failure policy decides.
            return fallback(key: "rl:{" + keyID + "}", plan: plan, cost: cost, error: error)
        }
    }

    private func fallback(key: String, plan: Plan, cost: Int, error: RedisError) -> Outcome {
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
        case .local: return .decided(local.check(key: key, plan: plan, cost: cost, now: Date()))
        }
    }

    static func decision(from reply: RedisValue, plan: Plan) throws(RedisError) -> RateLimitDecision {
        let windows = plan.windows
        guard let parts = reply.array, parts.count == 3 + windows.count * 2, let allowed = parts[0].int, let retry = parts[1].int,
            let violated = parts[2].int, (0...windows.count).contains(violated)
        else { throw .server("unexpected rate limit script reply \(reply)") }
        let windowStates = windows.indices.map { index in
            RateLimitDecision.WindowState(
                window: windows[index], remaining: max(0, parts[3 + 2 * index].int ?? 0),
                resetSeconds: max(0, parts[4 + 2 * index].int ?? 0))
        }
        return RateLimitDecision(
            allowed: allowed == 1, windows: windowStates, retryAfterSeconds: retry,
            violated: violated > 0 ? windows[violated - 1] : nil, policyHeader: plan.policyHeader)
    }
}

/// The same GCRA in process memory: the stand-in while Redis is unreachable (`RATE_LIMIT_FAILURE=local`).
final class LocalRateLimiter: Sendable {
    /// TATs in seconds, by `<key>:<window seconds>`.
    private let tats = Mutex<[String: Double]>([:])

    func check(key: String, plan: RateLimiter.Plan, cost: Int, now date: Date) -> RateLimitDecision {
        let now = date.timeIntervalSince1970
        let windows = plan.windows
        let keys = windows.map { "\(key):\($0.seconds)" }
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
            return RateLimitDecision(
                allowed: allowed, windows: states, retryAfterSeconds: Int(retry.rounded(.up)), violated: violated,
                policyHeader: plan.policyHeader)
        }
    }
}

/// What the limiter does while Redis is unreachable: count in this process alone (`local`) or refuse
/// (`closed`), as `RATE_LIMIT_FAILURE` says.
public enum RateLimitFailurePolicy: String, Sendable { case local, closed }
