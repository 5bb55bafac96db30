import Crypto
import DequeModule
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A Redis client: ordinary commands on SwiftNIO, blocking ones on hiredis off Swift's cooperative threads.
///
/// - Ordinary commands go through ``RedisLoopConnections``: one SwiftNIO connection per event loop,
///   shared and pipelined by the callers on that loop, with no thread hand-over.
/// - Commands that hold a connection (`XREADGROUP … BLOCK`) use ``sendOnDedicatedConnection(_:)``: a
///   pool of connections made lazily, up to ``Options/maximumConnections``, on a dedicated thread pool.
/// - An idle connection that the server closed (a Redis restart) is replaced: SwiftNIO sees the close and
///   the connection is forgotten, the pool checks before reuse; so a restart while idle costs no failed
///   command. A connection that breaks mid-command is dropped and the
///   command fails with ``RedisError/connectionLost(_:)``, because it may have run.
/// - Connect and command timeouts bound every call.
public final class RedisClient: Sendable, Service {
    public struct Options: Sendable {
        public var maximumConnections: Int = 16
        public var connectTimeout: Duration = .milliseconds(500)
        public var commandTimeout: Duration = .seconds(2)
        public init() {}
    }

    public let settings: RedisSettings
    public let options: Options
    let threadPool: NIOThreadPool
    let logger: Logger
    private let state: Mutex<PoolState>
    private let connections: RedisLoopConnections

    public init(settings: RedisSettings, options: Options = .init(), logger: Logger) {
        self.settings = settings
        self.options = options
        self.logger = logger
        // One thread per connection: a call never waits for a thread, only for a connection.
        self.threadPool = NIOThreadPool(numberOfThreads: options.maximumConnections)
        self.threadPool.start()
        self.state = Mutex(PoolState())
        self.connections = RedisLoopConnections(settings: settings, options: options)
    }

    deinit {
        connections.close()
        threadPool.shutdownGracefully { _ in }
    }

    /// Waits for shutdown, then closes the connections.
    public func run() async throws {
        try? await gracefulShutdown()
        close()
    }

    /// Closes idle connections and refuses new calls.
    public func close() {
        connections.close()
        let idle = state.withLock { state -> [RedisConnection] in
            state.isClosed = true
            defer { state.idle.removeAll() }
            return state.idle
        }
        _ = idle  // freed here
        let waiters = state.withLock { state -> [CheckedContinuation<Lease, any Error>] in
            defer { state.waiters.removeAll() }
            return Array(state.waiters)
        }
        for waiter in waiters { waiter.resume(throwing: RedisError.closed) }
    }

    /// Sends one command; an error reply throws ``RedisError/server(_:)``.
    @discardableResult
    public func send(_ command: RedisCommand) async throws(RedisError) -> RedisValue {
        let reply = try await pipeline([command])[0]
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }

    /// Convenience for `send(RedisCommand(name, arguments...))`.
    @discardableResult
    public func send(_ name: String, _ arguments: String...) async throws(RedisError) -> RedisValue {
        try await send(RedisCommand(name, arguments: arguments))
    }

    /// Sends commands in one round trip; error replies are returned in place, not thrown.
    public func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        return try await connections.send(commands).get()
    }

    /// Sends a command that may hold its connection for a while (`XREADGROUP … BLOCK`) on a pooled
    /// connection of its own, so it delays no one else; an error reply throws.
    @discardableResult
    public func sendOnDedicatedConnection(_ command: RedisCommand) async throws(RedisError) -> RedisValue {
        let reply = try await pooledPipeline([command])[0]
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }

    private func pooledPipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisValue] {
        let lease = try await acquire()
        let connection: RedisConnection
        do {
            connection = try await open(lease)
        } catch {
            release(nil)
            throw error
        }
        let result: Result<[RedisValue], RedisError>
        do {
            result = try await threadPool.runIfActive { () -> Result<[RedisValue], RedisError> in
                do throws(RedisError) { return .success(try connection.send(commands)) } catch { return .failure(error) }
            }
        } catch {
            result = .failure(.closed)
        }
        release(connection)
        return try result.get()
    }

    /// Runs a Lua script by its SHA-1, loading it transparently when Redis answers `NOSCRIPT`
    /// (after a restart or a `SCRIPT FLUSH`).
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) async throws(RedisError) -> RedisValue {
        try await evaluate(script, keys: keys.map { Array($0.utf8) }, arguments: arguments.map { Array($0.utf8) })
    }

    /// ``evaluate(_:keys:arguments:)`` with arguments already in bytes (hot paths build them once).
    public func evaluate(_ script: RedisScript, keys: [[UInt8]], arguments: [[UInt8]]) async throws(RedisError) -> RedisValue {
        // Built in one array: this runs for every rate-limited request.
        var command: [[UInt8]] = []
        command.reserveCapacity(3 + keys.count + arguments.count)
        command.append(Self.evalsha)
        command.append(script.sha1Bytes)
        command.append(Self.decimals.indices.contains(keys.count) ? Self.decimals[keys.count] : Array(String(keys.count).utf8))
        command.append(contentsOf: keys)
        command.append(contentsOf: arguments)
        let reply = try await pipeline([RedisCommand(bytes: command)])[0]
        if case .error(let message) = reply {
            guard message.hasPrefix("NOSCRIPT") else { throw .server(message) }
            logger.debug("script not cached in Redis; sending its source", metadata: ["sha1": "\(script.sha1)"])
            // EVAL runs the script and caches it, so later EVALSHA calls find it again.
            command[0] = Array("EVAL".utf8)
            command[1] = Array(script.source.utf8)
            return try await send(RedisCommand(bytes: command))
        }
        return reply
    }

    private static let evalsha = Array("EVALSHA".utf8)
    /// 0 to 9 as command arguments, written once.
    public static let decimals = (0...9).map { Array(String($0).utf8) }

    /// Whether `PING` answers within the command timeout.
    public func ping() async -> Bool {
        (try? await send("PING")) == .status("PONG")
    }

    // MARK: - Pool

    private enum Lease {
        case existing(RedisConnection)
        case create
    }

    private struct PoolState: ~Copyable {
        var idle: [RedisConnection] = []
        var open = 0
        var waiters: Deque<CheckedContinuation<Lease, any Error>> = []
        var isClosed = false
    }

    private func acquire() async throws(RedisError) -> Lease {
        enum Decision { case lease(Lease), wait, closed }
        let decision = state.withLock { state -> Decision in
            if state.isClosed { return .closed }
            if let connection = state.idle.popLast() { return .lease(.existing(connection)) }
            if state.open < options.maximumConnections {
                state.open += 1
                return .lease(.create)
            }
            return .wait
        }
        switch decision {
        case .lease(let lease): return lease
        case .closed: throw .closed
        case .wait:
            do {
                return try await withCheckedThrowingContinuation { continuation in
                    let closed = state.withLock { state -> Bool in
                        if state.isClosed { return true }
                        state.waiters.append(continuation)
                        return false
                    }
                    if closed { continuation.resume(throwing: RedisError.closed) }
                }
            } catch {
                throw (error as? RedisError) ?? .closed
            }
        }
    }

    /// Turns a lease into a live connection: reuses it if the server has not closed it, else connects anew.
    private func open(_ lease: Lease) async throws(RedisError) -> RedisConnection {
        if case .existing(let connection) = lease, !connection.isClosedByPeer { return connection }
        let settings = self.settings
        let options = self.options
        let result: Result<RedisConnection, RedisError>
        do {
            result = try await threadPool.runIfActive { () -> Result<RedisConnection, RedisError> in
                do throws(RedisError) {
                    return .success(
                        try RedisConnection(
                            settings: settings, connectTimeout: options.connectTimeout, commandTimeout: options.commandTimeout))
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            result = .failure(.closed)
        }
        return try result.get()
    }

    /// Returns a connection (or, with nil, the slot of one that failed) to the pool.
    private func release(_ connection: RedisConnection?) {
        let usable = connection.flatMap { $0.isBroken ? nil : $0 }
        let waiter = state.withLock { state -> (CheckedContinuation<Lease, any Error>, Lease)? in
            if let waiter = state.waiters.popFirst() {
                return (waiter, usable.map { .existing($0) } ?? .create)
            }
            if let usable, !state.isClosed {
                state.idle.append(usable)
            } else {
                state.open -= 1
            }
            return nil
        }
        if let (continuation, lease) = waiter { continuation.resume(returning: lease) }
    }
}

/// A Lua script and its SHA-1, the name Redis caches it under.
public struct RedisScript: Sendable {
    public let source: String
    public let sha1: String
    let sha1Bytes: [UInt8]

    public init(_ source: String) {
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
        self.sha1Bytes = Array(sha1.utf8)
    }
}

extension RedisClient {
    /// `prefix` followed by the SHA-256 of `key` in hex: a bounded Redis key for an unbounded text
    /// (a query, a provider request URL).
    public static func digestKey(_ prefix: String, _ key: String) -> String {
        prefix + SHA256.hash(data: Array(key.utf8)).map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
