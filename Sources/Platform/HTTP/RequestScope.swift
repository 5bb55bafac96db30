import Accounts
import Foundation
import HTTPTypes
import Synchronization

/// What the layers of one request share: its id, when it started, who is calling, what it costs.
///
/// Set by ``RequestIDMiddleware`` as a task local, so generated handlers (which see no request context)
/// and every middleware inside it read the same value. Inner layers fill in the caller and the cost;
/// outer layers (usage, response headers) read them after the handler has answered.
public final class RequestScope: Sendable {
    @TaskLocal public static var current: RequestScope?

    public let requestID: String
    public let startedAt: ContinuousClock.Instant
    public let receivedAt: Date
    private let state = Mutex(State())

    private struct State {
        var principal: Principal?
        var cost = 0
        var cacheHit = false
        var responseHeaders = HTTPFields()
    }

    public init(requestID: String, startedAt: ContinuousClock.Instant = .now, receivedAt: Date = Date()) {
        self.requestID = requestID
        self.startedAt = startedAt
        self.receivedAt = receivedAt
    }

    /// The authenticated caller, once ``AuthMiddleware`` has verified the key.
    public var principal: Principal? {
        get { state.withLock { $0.principal } }
        set { state.withLock { $0.principal = newValue } }
    }

    /// What the request was charged against the rate limit.
    public var cost: Int {
        get { state.withLock { $0.cost } }
        set { state.withLock { $0.cost = newValue } }
    }

    /// Whether the answer came from a cache (recorded in usage).
    public var cacheHit: Bool {
        get { state.withLock { $0.cacheHit } }
        set { state.withLock { $0.cacheHit = newValue } }
    }

    /// Headers every response to this request carries, errors included (rate limit headers).
    public var responseHeaders: HTTPFields { state.withLock { $0.responseHeaders } }

    /// Adds to ``responseHeaders`` in place, without copying them out and back.
    public func updateResponseHeaders(_ body: (inout HTTPFields) -> Void) {
        state.withLock { body(&$0.responseHeaders) }
    }
}

/// The caller behind a verified API key.
public struct Principal: Sendable, Equatable {
    public var keyID: String
    public var accountID: Int64
    public var account: String
    public var tier: Tier
    public var isAdmin: Bool

    public init(keyID: String, accountID: Int64, account: String, tier: Tier, isAdmin: Bool) {
        self.keyID = keyID
        self.accountID = accountID
        self.account = account
        self.tier = tier
        self.isAdmin = isAdmin
    }

    init(_ record: KeyRecord) {
        self.init(keyID: record.id, accountID: record.accountID, account: record.account, tier: record.tier, isAdmin: record.isAdmin)
    }
}
