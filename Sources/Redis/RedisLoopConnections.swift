import NIOCore
import NIOPosix
import Synchronization

/// One Redis connection per event loop, used by whatever runs on that loop.
///
/// The server runs its tasks on SwiftNIO's event loops, so a request's command is written, its reply
/// read and the request resumed on one thread, with no hand-over to another (the cost that dominated
/// the latency of a thread-backed client). Commands of concurrent requests on a loop share its
/// connection and are pipelined by Redis's in-order replies. Callers that are not on an event loop use
/// one designated loop. A connection that closes is forgotten, and the next command connects again.
final class RedisLoopConnections: Sendable {
    private enum Slot {
        case connecting(EventLoopFuture<any Channel>)
        case connected(any Channel)
    }

    private struct State: ~Copyable {
        var connections: [ObjectIdentifier: Slot] = [:]
        var isClosed = false
    }

    let settings: RedisSettings
    let options: RedisClient.Options
    private let fallbackLoop: any EventLoop
    private let state = Mutex(State())

    init(settings: RedisSettings, options: RedisClient.Options) {
        self.settings = settings
        self.options = options
        self.fallbackLoop = MultiThreadedEventLoopGroup.singleton.next()
    }

    /// Sends commands as one unit: written together, replies returned together and in order.
    func send(_ commands: [RedisCommand]) async -> Result<[RedisValue], RedisError> {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? fallbackLoop
        let channel: any Channel
        switch connection(on: loop) {
        case .connected(let ready):
            channel = ready
        case .connecting(let future):
            do {
                channel = try await future.get()
            } catch {
                return .failure(Self.redisError(error))
            }
        }
        // The handler flushes at once when nothing is in flight, else once per turn of the loop with
        // whatever else was written meanwhile, and fails the request if Redis does not answer within
        // the command timeout.
        do {
            return .success(
                try await withUnsafeThrowingContinuation { continuation in
                    if channel.eventLoop.inEventLoop, channel.isActive {
                        // The handler is certain to receive the request, and it answers or fails every
                        // request it receives: its reply resumes this task with no future in between.
                        channel.write(RedisRequest(commands: commands, continuation: continuation), promise: nil)
                    } else {
                        // Off the loop, or closing: a write that fails must fail the request too.
                        let promise = channel.eventLoop.makePromise(of: [RedisValue].self)
                        let written = channel.eventLoop.makePromise(of: Void.self)
                        written.futureResult.whenFailure { promise.fail(Self.redisError($0)) }
                        promise.futureResult.whenComplete { continuation.resume(with: $0) }
                        channel.write(RedisRequest(commands: commands, promise: promise), promise: written)
                    }
                })
        } catch {
            return .failure(Self.redisError(error))
        }
    }

    /// Closes every connection and refuses further commands.
    func close() {
        let slots = state.withLock { state -> [Slot] in
            state.isClosed = true
            defer { state.connections.removeAll() }
            return Array(state.connections.values)
        }
        for slot in slots {
            switch slot {
            case .connected(let channel): channel.close(promise: nil)
            case .connecting(let future): future.whenSuccess { $0.close(promise: nil) }
            }
        }
    }

    /// The loop's connection, made (and set up) on first use or after the last one closed.
    private func connection(on loop: any EventLoop) -> Slot {
        let id = ObjectIdentifier(loop)
        let (slot, isNew) = state.withLock { state -> (Slot, Bool) in
            if state.isClosed { return (.connecting(loop.makeFailedFuture(RedisError.closed)), false) }
            if let existing = state.connections[id] { return (existing, false) }
            let slot = Slot.connecting(connect(on: loop))
            state.connections[id] = slot
            return (slot, true)
        }
        guard isNew, case .connecting(let future) = slot else { return slot }
        // Ready: later commands take the channel without waiting on the future. Closed or failed:
        // forgotten, so that the next command connects again.
        future.whenComplete { [self] result in
            switch result {
            case .success(let channel):
                state.withLock { state in
                    if case .connecting(let current) = state.connections[id], current === future {
                        state.connections[id] = .connected(channel)
                    }
                }
                channel.closeFuture.whenComplete { [self] _ in
                    state.withLock { state in
                        if case .connected(let current) = state.connections[id], current === channel { state.connections[id] = nil }
                    }
                }
            case .failure:
                state.withLock { state in
                    if case .connecting(let current) = state.connections[id], current === future { state.connections[id] = nil }
                }
            }
        }
        return slot
    }

    private func connect(on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        let commandTimeout = TimeAmount(options.commandTimeout)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(options.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(commandTimeout: commandTimeout))
                }
            }
        let setup = settings.setupCommands
        return bootstrap.connect(host: settings.host, port: settings.port)
            .flatMapError { error in loop.makeFailedFuture(Self.connectError(error)) }
            .flatMap { channel -> EventLoopFuture<any Channel> in
                guard !setup.isEmpty else { return loop.makeSucceededFuture(channel) }
                let promise = loop.makePromise(of: [RedisValue].self)
                // A write that fails (the connection closed at once) must fail the setup too, or the
                // connection would stay `connecting` and every command on this loop would wait for it.
                let written = loop.makePromise(of: Void.self)
                written.futureResult.whenFailure { promise.fail(Self.redisError($0)) }
                channel.writeAndFlush(RedisRequest(commands: setup, promise: promise), promise: written)
                return promise.futureResult.flatMapThrowing { replies -> any Channel in
                    for (command, reply) in zip(setup, replies) {
                        if case .error(let message) = reply { throw RedisError.connectionFailed("\(command.name) failed: \(message)") }
                    }
                    return channel
                }.flatMapErrorThrowing { error in
                    channel.close(promise: nil)
                    throw error
                }
            }
    }

    private static func connectError(_ error: any Error) -> RedisError {
        if let error = error as? RedisError { return error }
        if case ChannelError.connectTimeout = error { return .timeout }
        return .connectionFailed("\(error)")
    }

    private static func redisError(_ error: any Error) -> RedisError {
        if let error = error as? RedisError { return error }
        return .connectionLost("\(error)")
    }
}
