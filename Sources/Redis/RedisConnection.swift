import CHiredis

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One blocking hiredis connection.
///
/// Every call blocks its thread, so callers run it on a thread pool, never on Swift's cooperative threads.
/// The pool hands a connection to one caller at a time, which is what makes the `@unchecked Sendable` sound.
public final class RedisConnection: @unchecked Sendable {
    private let context: UnsafeMutablePointer<redisContext>
    private(set) var isBroken = false

    /// Connects, authenticates and selects the database, or throws.
    public init(settings: RedisSettings, connectTimeout: Duration, commandTimeout: Duration) throws(RedisError) {
        guard let context = redisConnectWithTimeout(settings.host, Int32(settings.port), Self.makeTimeval(connectTimeout)) else {
            throw .connectionFailed("out of memory")
        }
        if context.pointee.err != 0 {
            let message = Self.errorString(context)
            redisFree(context)
            throw Self.isTimeout(message) ? .timeout : .connectionFailed(message)
        }
        self.context = context
        // A zero timeout blocks for ever: what a subscription wants.
        _ = redisSetTimeout(context, Self.makeTimeval(commandTimeout))
        _ = redisEnableKeepAlive(context)
        do {
            for command in settings.setupCommands { try Self.check(try send([command])[0], setup: command.name) }
        } catch {
            // `deinit` frees the context.
            throw .connectionFailed(error.description)
        }
    }

    deinit {
        redisFree(context)
    }

    /// Whether the server has closed this idle connection (it restarted, or timed us out).
    ///
    /// Redis never speaks first on a plain connection, so anything readable while idle means it is gone:
    /// checking this before reuse avoids sending a command into a dead socket.
    public var isClosedByPeer: Bool {
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        return ready != 0
    }

    /// Sends commands in one pipeline and reads one reply for each, in order.
    ///
    /// Error replies come back as ``RedisValue/error(_:)`` values; only transport failures throw.
    /// After a transport failure the connection is broken and must be dropped.
    public func send(_ commands: [RedisCommand]) throws(RedisError) -> [RedisValue] {
        guard !isBroken else { throw .connectionLost("the connection was already broken") }
        for command in commands {
            let status = Self.withArgv(command.arguments) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            guard status == REDIS_OK else { throw fail() }
        }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw fail() }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            replies.append(Self.value(of: reply))
            freeReplyObject(raw)
        }
        return replies
    }

    /// Reads one more reply without sending anything: messages on a subscribed connection.
    public func readReply() throws(RedisError) -> RedisValue {
        guard !isBroken else { throw .connectionLost("the connection was already broken") }
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw fail() }
        defer { freeReplyObject(raw) }
        return Self.value(of: raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Wakes a thread blocked in ``readReply()`` by closing the socket under it; the connection is then broken.
    public func shutdownSocket() {
        _ = shutdown(context.pointee.fd, Int32(SHUT_RDWR))
    }

    private func fail() -> RedisError {
        isBroken = true
        let message = Self.errorString(context)
        if Self.isTimeout(message) { return .timeout }
        return .connectionLost(message.isEmpty ? "connection closed" : message)
    }

    private static func check(_ value: RedisValue, setup: String) throws(RedisError) {
        if case .error(let message) = value { throw .server("\(setup) failed: \(message)") }
    }

    private static func value(of reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(r.str, r.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int(r.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(Int(r.elements))
            for index in 0..<Int(r.elements) {
                if let element = r.element[index] { elements.append(value(of: element)) } else { elements.append(.null) }
            }
            return .array(elements)
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> [UInt8] {
        guard let pointer, length > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// Lends hiredis `argv`/`argvlen` views of the arguments, without copying them into C strings.
    private static func withArgv<R>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        let lengths = arguments.map(\.count)
        // One contiguous buffer keeps every pointer valid for the whole call.
        let joined = arguments.flatMap { $0 }
        return joined.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            var offset = 0
            var argv: [UnsafePointer<CChar>?] = []
            argv.reserveCapacity(arguments.count)
            for length in lengths {
                argv.append((base + offset).assumingMemoryBound(to: CChar.self))
                offset += length
            }
            return argv.withUnsafeMutableBufferPointer { argvBuffer in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    body(Int32(arguments.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
                }
            }
        }
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
    }

    private static func isTimeout(_ message: String) -> Bool {
        message.contains("timed out") || message.contains("temporarily unavailable")
    }

    private static func makeTimeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        return timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
