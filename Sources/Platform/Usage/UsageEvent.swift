import Foundation

/// One authenticated request that got a response: the unit of billing.
public struct UsageEvent: Sendable, Equatable {
    public var requestID: String
    public var accountID: Int64
    public var keyID: String
    public var route: String
    public var method: String
    public var status: Int
    public var cost: Int
    public var latencyMilliseconds: Double
    public var occurredAt: Date
    public var cacheHit: Bool

    public init(
        requestID: String, accountID: Int64, keyID: String, route: String, method: String, status: Int, cost: Int,
        latencyMilliseconds: Double, occurredAt: Date, cacheHit: Bool
    ) {
        self.requestID = requestID
        self.accountID = accountID
        self.keyID = keyID
        self.route = route
        self.method = method
        self.status = status
        self.cost = cost
        self.latencyMilliseconds = latencyMilliseconds
        self.occurredAt = occurredAt
        self.cacheHit = cacheHit
    }

    /// Field-value pairs of a Redis Stream entry.
    var streamFields: [String] {
        [
            "request_id", requestID, "account_id", String(accountID), "key_id", keyID, "route", route, "method", method,
            "status", String(status), "cost", String(cost), "latency_ms", String(latencyMilliseconds),
            "ts_us", String(Int64(occurredAt.timeIntervalSince1970 * 1_000_000)), "cache_hit", cacheHit ? "1" : "0",
        ]
    }

    /// Reads a stream entry's fields; nil for an entry that is not a usage event.
    init?(streamFields values: [RedisValue]) {
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < values.count {
            if let key = values[index].string, let value = values[index + 1].string { fields[key] = value }
            index += 2
        }
        guard let requestID = fields["request_id"], let accountID = fields["account_id"].flatMap({ Int64($0) }),
            let keyID = fields["key_id"], let route = fields["route"], let method = fields["method"],
            let status = fields["status"].flatMap({ Int($0) }), let cost = fields["cost"].flatMap({ Int($0) }),
            let latency = fields["latency_ms"].flatMap({ Double($0) }), let micros = fields["ts_us"].flatMap({ Int64($0) })
        else { return nil }
        self.init(
            requestID: requestID, accountID: accountID, keyID: keyID, route: route, method: method, status: status, cost: cost,
            latencyMilliseconds: latency, occurredAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000),
            cacheHit: fields["cache_hit"] == "1")
    }
}
