import Dispatch
import Foundation
import Logging
import Synchronization

/// One Redis connection shared by every caller, with automatic pipelining.
///
/// Callers enqueue commands and suspend; a dedicated thread takes everything queued, writes it in one
/// go, reads the replies in order and resumes each caller. Under load, dozens of requests' commands
/// share one round trip and one pair of syscalls, where a pool would spend a thread wake-up and a round
/// trip on each (the technique of ioredis and Lettuce). Commands that block the connection (`BLOCK`,
/// `SUBSCRIBE`) must not come here: ``RedisClient`` sends those through its pool.
final class RedisMultiplexer: Sendable {
    private struct Pending: Sendable {
        var commands: [RedisCommand]
        var continuation: CheckedContinuation<Result<[RedisValue], RedisError>, Never>
    }

    private struct State: ~Copyable {
        var queue: [Pending] = []
        var isClosed = false
    }

    let settings: RedisSettings
    let options: RedisClient.Options
    private let state = Mutex(State())
    private let wakeUp = DispatchSemaphore(value: 0)
    /// Owned by the multiplexer's thread only.
    private let connection = Mutex<RedisConnection?>(nil)

    init(settings: RedisSettings, options: RedisClient.Options, name: String) {
        self.settings = settings
        self.options = options
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.start()
    }

    /// Sends commands as one unit (their replies stay together and in order).
    func send(_ commands: [RedisCommand]) async -> Result<[RedisValue], RedisError> {
        await withCheckedContinuation { continuation in
            let accepted = state.withLock { state -> Bool in
                guard !state.isClosed else { return false }
                state.queue.append(Pending(commands: commands, continuation: continuation))
                return true
            }
            if accepted { wakeUp.signal() } else { continuation.resume(returning: .failure(.closed)) }
        }
    }

    func close() {
        state.withLock { $0.isClosed = true }
        wakeUp.signal()
    }

    private func loop() {
        while true {
            // Under load the next commands arrive within microseconds: look again briefly before sleeping,
            // which spares a futex sleep and wake-up per batch.
            if wakeUp.wait(timeout: .now()) == .timedOut {
                var spins = 0
                while spins < 64, state.withLock({ $0.queue.isEmpty }) {
                    sched_yield()
                    spins += 1
                }
                if spins == 64 { wakeUp.wait() }
            }
            let (batch, closed) = state.withLock { state -> ([Pending], Bool) in
                defer { state.queue.removeAll(keepingCapacity: true) }
                return (state.queue, state.isClosed)
            }
            if !batch.isEmpty { run(batch) }
            if closed {
                connection.withLock { $0 = nil }
                return
            }
        }
    }

    private func run(_ batch: [Pending]) {
        let result: Result<[RedisValue], RedisError> = connection.withLock { connection in
            do throws(RedisError) {
                if connection == nil || connection!.isClosedByPeer || connection!.isBroken {
                    connection = try RedisConnection(
                        settings: settings, connectTimeout: options.connectTimeout, commandTimeout: options.commandTimeout)
                }
                let replies = try connection!.send(batch.flatMap(\.commands))
                if connection!.isBroken { connection = nil }
                return .success(replies)
            } catch {
                connection = nil
                return .failure(error)
            }
        }
        switch result {
        case .success(let replies):
            var offset = 0
            for pending in batch {
                let count = pending.commands.count
                pending.continuation.resume(returning: .success(Array(replies[offset..<(offset + count)])))
                offset += count
            }
        case .failure(let error):
            for pending in batch { pending.continuation.resume(returning: .failure(error)) }
        }
    }
}
