import Foundation
import Synchronization

/// What the layers of one request share: its id and when it started.
///
/// Set by ``RequestIDMiddleware`` as a task local, so generated handlers (which see no request context)
/// and every middleware inside it read the same value.
public final class RequestScope: Sendable {
    @TaskLocal public static var current: RequestScope?

    public let requestID: String
    public let startedAt: ContinuousClock.Instant

    public init(requestID: String, startedAt: ContinuousClock.Instant = .now) {
        self.requestID = requestID
        self.startedAt = startedAt
    }
}
