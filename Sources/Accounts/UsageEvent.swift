import Foundation
import Redis

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

    /// A stream entry holds one field, `e`, with the values joined by the unit separator (U+001F):
    /// one argument instead of twenty keeps both the `XADD` and the drain's parsing cheap. No value can
    /// hold the separator (request ids are sanitised, routes are templates).
    static let separator: Character = "\u{1F}"

    /// Field-value pairs of a Redis Stream entry, as bytes ready for `XADD`.
    var streamFields: [[UInt8]] { [Self.field, streamValue] }

    /// The stream entry's one field name.
    static let field = [UInt8(ascii: "e")]

    /// The value of the entry's field: every value, joined by the separator, written straight as bytes.
    var streamValue: [UInt8] {
        let separator = Self.separator.asciiValue!
        var value: [UInt8] = []
        value.reserveCapacity(96 + requestID.utf8.count + keyID.utf8.count + route.utf8.count)
        value += requestID.utf8
        value.append(separator)
        value += String(accountID).utf8
        value.append(separator)
        value += keyID.utf8
        value.append(separator)
        value += route.utf8
        value.append(separator)
        value += method.utf8
        value.append(separator)
        value += String(status).utf8
        value.append(separator)
        value += String(cost).utf8
        value.append(separator)
        value += String(latencyMilliseconds).utf8
        value.append(separator)
        value += String(Int64(occurredAt.timeIntervalSince1970 * 1_000_000)).utf8
        value.append(separator)
        value.append(cacheHit ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        return value
    }

    /// Reads a stream entry's fields; nil for an entry that is not a usage event.
    init?(streamFields values: [RedisValue]) {
        guard values.count == 2, values[0].string == "e", let joined = values[1].string else { return nil }
        // Split on the separator's byte: splitting on a Character walks grapheme clusters, several times slower.
        let parts = joined.utf8.split(separator: Self.separator.asciiValue!, omittingEmptySubsequences: false).map { Substring($0) }
        guard parts.count == 10, let accountID = Int64(parts[1]), let status = Int(parts[5]), let cost = Int(parts[6]),
            let latency = Double(parts[7]), let micros = Int64(parts[8])
        else { return nil }
        self.init(
            requestID: String(parts[0]), accountID: accountID, keyID: String(parts[2]), route: String(parts[3]),
            method: String(parts[4]), status: status, cost: cost, latencyMilliseconds: latency,
            occurredAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000), cacheHit: parts[9] == "1")
    }
}
