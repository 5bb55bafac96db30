import Core
import Synchronization
import Testing

@testable import Platform

@Suite struct DeadlineTests {
    /// Work that will not stop when cancelled (as a query waiting for a connection may not) does not hold
    /// the caller past the deadline.
    @Test func theDeadlineHoldsEvenWhenTheWorkIgnoresCancellation() async throws {
        let released = Atomic<Bool>(false)
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(200)) {
                // Ignores cancellation until the test lets it go, after the deadline has thrown.
                while !released.load(ordering: .relaxed) { try? await Task.sleep(for: .milliseconds(10)) }
                return 1
            }
        }
        released.store(true, ordering: .relaxed)
    }

    @Test func anAnswerBeforeTheDeadlineIsReturnedAndAnErrorIsThrown() async throws {
        #expect(try await withDeadline(.seconds(60)) { 42 } == 42)
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await withDeadline(.seconds(60)) { throw Refused() } }
    }

    @Test func theCallersCancellationEndsTheWait() async throws {
        let task = Task { try await withDeadline(.seconds(3600)) { try await Task.sleep(for: .seconds(3600)) } }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
