import Synchronization

/// Thrown by ``withDeadline(_:_:)`` when the work did not finish in time.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public var timeout: Duration
    public var description: String { "The operation did not finish within \(timeout)." }
}

/// Runs `body`, cancelling it and throwing ``DeadlineExceeded`` if it takes longer than `timeout`.
///
/// Returns at the deadline even if `body` does not stop when cancelled: a task group would wait for it, and a
/// call that ignores cancellation (a PostgreSQL query with no connection to be had) would then hold the
/// caller, a readiness check included, for as long as it likes. So `body` runs in a task of its own, which
/// is cancelled and left to end by itself; this is the one place that does not keep its work structured.
public func withDeadline<T: Sendable>(
    _ timeout: Duration,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.wait(continuation)
            race.track(
                Task {
                    do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
                })
            race.track(
                Task {
                    try? await Task.sleep(for: timeout)
                    race.finish(.failure(DeadlineExceeded(timeout: timeout)))
                })
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The first of `body`'s result, the deadline and the caller's cancellation, delivered exactly once; the
/// tasks still running then are cancelled.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var result: Result<T, any Error>?
        var tasks: [Task<Void, Never>] = []
    }
    private let state = Mutex(State())

    func wait(_ continuation: CheckedContinuation<T, any Error>) {
        let ready = state.withLock { state -> Result<T, any Error>? in
            guard let result = state.result else {
                state.continuation = continuation
                return nil
            }
            return result
        }
        if let ready { continuation.resume(with: ready) }
    }

    func track(_ task: Task<Void, Never>) {
        let done = state.withLock { state -> Bool in
            if state.result == nil { state.tasks.append(task) }
            return state.result != nil
        }
        if done { task.cancel() }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { state -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            guard state.result == nil else { return (nil, []) }
            state.result = result
            defer {
                state.continuation = nil
                state.tasks = []
            }
            return (state.continuation, state.tasks)
        }
        for task in tasks { task.cancel() }
        continuation?.resume(with: result)
    }
}

extension Duration {
    /// The duration in milliseconds, fractional.
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
