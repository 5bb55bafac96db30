import ServiceLifecycle
import Synchronization

/// Whether the process is shutting down: readiness answers 503 from the moment SIGTERM arrives, so a
/// load balancer stops sending traffic while in-flight requests finish.
public final class DrainState: Sendable {
    private let draining = Atomic<Bool>(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    public func begin() { draining.store(true, ordering: .relaxed) }
}

/// A service that waits for graceful shutdown and then marks the process as draining. Listed last in the
/// service group, it is told first (a group shuts its services down in reverse order), before the
/// HTTP server stops taking connections.
struct DrainSignal: Service {
    let state: DrainState

    func run() async throws {
        try? await gracefulShutdown()
        state.begin()
    }
}
