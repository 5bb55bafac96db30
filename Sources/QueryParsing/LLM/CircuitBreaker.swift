import Synchronization

/// Stops calling a failing provider for a while, so every query does not wait out a timeout.
///
/// Closed: calls pass, consecutive failures are counted. After `failureThreshold` of them it opens for
/// `openDuration`: calls are refused at once. Then one trial call is let through (half open); its
/// success closes the circuit, its failure opens it again.
public final class CircuitBreaker: Sendable {
    public let failureThreshold: Int
    public let openDuration: Duration

    private struct State {
        var consecutiveFailures = 0
        var openUntil: ContinuousClock.Instant?
        var trialInFlight = false
    }

    private let state = Mutex(State())

    public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(30)) {
        self.failureThreshold = failureThreshold
        self.openDuration = openDuration
    }

    /// Whether a call may go ahead now.
    public func permitsCall(now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            guard let openUntil = state.openUntil else { return true }
            guard now >= openUntil, !state.trialInFlight else { return false }
            state.trialInFlight = true
            return true
        }
    }

    public func recordSuccess() {
        state.withLock { $0 = State() }
    }

    public func recordFailure(now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.consecutiveFailures += 1
            state.trialInFlight = false
            if state.openUntil != nil || state.consecutiveFailures >= failureThreshold {
                state.openUntil = now + openDuration
            }
        }
    }

    /// True while calls are refused.
    public var isOpen: Bool {
        state.withLock { state in state.openUntil.map { ContinuousClock.now < $0 } ?? false }
    }
}
