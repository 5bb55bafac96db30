import NIOCore

/// Commands sent together, and who waits for their replies in order.
struct RedisRequest {
    /// Where the replies go: a promise, or straight to a suspended task (no future to allocate and
    /// complete, the cost of every command on the hot path).
    enum Receiver {
        case promise(EventLoopPromise<[RedisValue]>)
        /// Resumed exactly once: the handler answers or fails every request it was handed. Only for
        /// requests written on the channel's loop while it is active, so the handler surely gets it.
        case continuation(UnsafeContinuation<[RedisValue], any Error>)

        func succeed(_ replies: [RedisValue]) {
            switch self {
            case .promise(let promise): promise.succeed(replies)
            case .continuation(let continuation): continuation.resume(returning: replies)
            }
        }

        func fail(_ error: RedisError) {
            switch self {
            case .promise(let promise): promise.fail(error)
            case .continuation(let continuation): continuation.resume(throwing: error)
            }
        }
    }

    var commands: [RedisCommand]
    var receiver: Receiver

    init(commands: [RedisCommand], promise: EventLoopPromise<[RedisValue]>) {
        self.commands = commands
        self.receiver = .promise(promise)
    }

    init(commands: [RedisCommand], continuation: UnsafeContinuation<[RedisValue], any Error>) {
        self.commands = commands
        self.receiver = .continuation(continuation)
    }
}

/// Speaks RESP on one channel: writes requests, matches replies to them in order (Redis answers in
/// the order it was asked), and fails every outstanding request when the connection goes away.
///
/// A request written while none is in flight is flushed at once: Redis is idle, and waiting would only
/// add latency. Otherwise writes are flushed once per turn of the event loop: the requests of every
/// task that runs in the meantime leave in one `write` and reach Redis as one read.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Outstanding {
        var expected: Int
        var replies: [RedisValue]
        var receiver: RedisRequest.Receiver
        var sentAt: NIODeadline
    }

    private var outstanding = CircularBuffer<Outstanding>()
    private var input: ByteBuffer?
    private var flushScheduled = false
    private let commandTimeout: TimeAmount
    private var timeoutCheck: RepeatedTask?

    /// - Parameter commandTimeout: how long the oldest request may wait for its replies before every
    ///   request fails with ``RedisError/timeout`` and the connection is closed (its replies would now
    ///   arrive out of step). One timer per connection checks it, not one per command.
    init(commandTimeout: TimeAmount) {
        self.commandTimeout = commandTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let interval = max(
            TimeAmount.milliseconds(10), min(TimeAmount.milliseconds(250), TimeAmount.nanoseconds(commandTimeout.nanoseconds / 4)))
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timeoutCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.handler.checkTimeout(context: bound.value.context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeoutCheck?.cancel()
        timeoutCheck = nil
        // Every request handed to this handler is answered or failed, whatever SwiftNIO fires on the way
        // out: a task waiting on a reply must never be left suspended.
        failAll(.connectionLost("the connection closed"))
    }

    private func checkTimeout(context: ChannelHandlerContext) {
        guard let oldest = outstanding.first, NIODeadline.now() - oldest.sentAt > commandTimeout else { return }
        failAll(.timeout)
        context.close(promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: request.commands.reduce(0) { $0 + RESP.estimatedSize(of: $1) })
        for command in request.commands { RESP.write(command, to: &buffer) }
        let wasIdle = outstanding.isEmpty
        outstanding.append(Outstanding(expected: request.commands.count, replies: [], receiver: request.receiver, sentAt: .now()))
        context.write(wrapOutboundOut(buffer), promise: promise)
        if wasIdle && !flushScheduled {
            // Nothing in flight: Redis is idle, so waiting for company only adds latency.
            context.flush()
        } else if !flushScheduled {
            flushScheduled = true
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            context.eventLoop.execute {
                bound.value.handler.flushScheduled = false
                bound.value.context.flush()
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        if input == nil || input!.readableBytes == 0 {
            input = chunk
        } else {
            input!.writeBuffer(&chunk)
        }
        do {
            while let value = try RESP.read(from: &input!) {
                guard !outstanding.isEmpty else { throw RedisError.connectionLost("Redis sent a reply nobody asked for") }
                outstanding[outstanding.startIndex].replies.append(value)
                if outstanding[outstanding.startIndex].replies.count == outstanding[outstanding.startIndex].expected {
                    let done = outstanding.removeFirst()
                    done.receiver.succeed(done.replies)
                }
            }
            if input!.readableBytes == 0 { input = nil } else if input!.readerIndex > 64 * 1024 { input!.discardReadBytes() }
        } catch {
            failAll(error as? RedisError ?? .connectionLost("\(error)"))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(.connectionLost("the connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(.connectionLost("\(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        while let request = outstanding.popFirst() { request.receiver.fail(error) }
    }
}
