import Accounts
import HTTPTypes

extension RateLimitDecision {
    /// `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers, structured fields),
    /// `X-RateLimit-Limit/Remaining/Reset` for the tightest window, `Retry-After` when refused.
    public var headers: HTTPFields {
        var fields = HTTPFields()
        append(to: &fields)
        return fields
    }

    /// Appends ``headers`` to `fields`, which must not have them yet: no fields of their own to build
    /// and merge on every request.
    func append(to fields: inout HTTPFields) {
        guard let tightest else { return }
        fields.reserveCapacity(fields.count + 6)
        fields.append(HTTPField(name: .rateLimitPolicy, value: policyHeader))
        fields.append(
            HTTPField(name: .rateLimit, value: "\"\(Self.name(tightest.window))\";r=\(tightest.remaining);t=\(tightest.resetSeconds)"))
        fields.append(HTTPField(name: .xRateLimitLimit, value: String(tightest.window.requests)))
        fields.append(HTTPField(name: .xRateLimitRemaining, value: String(tightest.remaining)))
        fields.append(HTTPField(name: .xRateLimitReset, value: String(tightest.resetSeconds)))
        if !allowed { fields.append(HTTPField(name: .retryAfter, value: String(max(1, retryAfterSeconds)))) }
    }
}

extension HTTPField.Name {
    static let rateLimitPolicy = Self("RateLimit-Policy")!
    static let rateLimit = Self("RateLimit")!
    static let xRateLimitLimit = Self("X-RateLimit-Limit")!
    static let xRateLimitRemaining = Self("X-RateLimit-Remaining")!
    static let xRateLimitReset = Self("X-RateLimit-Reset")!
}
