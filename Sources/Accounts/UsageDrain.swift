import Core
import Foundation
import Logging
import PostgresNIO
import Redis
import ServiceLifecycle
import Synchronization

/// Moves usage events from the Redis Stream into PostgreSQL in batches, exactly once.
///
/// A consumer group shares the stream among instances. A batch is inserted (once each by request id:
/// a plain insert on first delivery, `ON CONFLICT DO NOTHING` otherwise or when that fails, see
/// ``UsageStore/insert(_:firstDelivery:)``) and only then acknowledged; entries of a drainer that died
/// between the two are claimed again after ``Options/claimAfter`` by any live drainer, and inserting them
/// twice is harmless.
/// While PostgreSQL is down nothing is acknowledged: the entries wait in Redis.
public final class UsageDrain: Service, Sendable {
    public struct Options: Sendable {
        public var batchSize = 100
        public var block: Duration = .milliseconds(500)
        /// After a batch smaller than ``batchSize``, how long to let events gather before reading again:
        /// fewer, larger transactions under load (each commit costs PostgreSQL a WAL flush).
        public var linger: Duration = .milliseconds(20)
        public var claimAfter: Duration = .seconds(30)
        public var retryDelay: Duration = .seconds(1)
        public init() {}
    }

    public static let group = "drainers"

    let redis: RedisClient
    let store: UsageStore
    let stream: String
    let recorder: UsageRecorder?
    let consumer: String
    let options: Options
    let logger: Logger
    /// Runs between insert and acknowledgement: lets tests kill a drainer exactly there.
    let afterInsert: @Sendable ([UsageEvent]) async throws -> Void
    private let stopping = Atomic<Bool>(false)

    public init(
        redis: RedisClient, store: UsageStore, stream: String = UsageRecorder.defaultStream, recorder: UsageRecorder?,
        consumer: String? = nil, options: Options = .init(),
        logger: Logger, afterInsert: @escaping @Sendable ([UsageEvent]) async throws -> Void = { _ in }
    ) {
        self.redis = redis
        self.store = store
        self.stream = stream
        self.recorder = recorder
        self.consumer = consumer ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UUID().uuidString.prefix(6))"
        self.options = options
        self.logger = logger
        self.afterInsert = afterInsert
    }

    /// Runs until the service group shuts down. Shutdown is not a cancellation: the batch in hand is
    /// inserted and acknowledged first, so no entry is left pending for a drainer that is gone (which
    /// another would only claim after ``Options/claimAfter``).
    public func run() async throws {
        // Off the event loops and below them in priority: a batch is a burst of work no request should wait behind.
        await withTaskExecutorPreference(Self.executor) {
            await withGracefulShutdownHandler {
                await self.drainLoop()
            } onGracefulShutdown: {
                self.stopping.store(true, ordering: .releasing)
            }
            await recorder?.flushBacklog()
        }
    }

    /// Where every drainer of the process runs.
    static let executor = BackgroundExecutor(name: "mf-usage-drain")

    private func drainLoop() async {
        var lastClaim = ContinuousClock.now
        var readOwnPending = true
        var groupReady = false
        while !Task.isCancelled, !stopping.load(ordering: .acquiring) {
            do {
                if !groupReady {
                    try await ensureGroup()
                    groupReady = true
                }
                await recorder?.flushBacklog()
                if ContinuousClock.now - lastClaim > options.claimAfter / 2 {
                    lastClaim = .now
                    try await claimAbandoned()
                }
                // First what this consumer read but did not acknowledge (after a failed insert), then new entries.
                let drained = try await drainOnce(id: readOwnPending ? "0" : ">")
                if readOwnPending && drained == 0 { readOwnPending = false }
                if drained > 0, drained < options.batchSize, !stopping.load(ordering: .acquiring) {
                    try await Task.sleep(for: options.linger)
                }
            } catch is CancellationError {
                return
            } catch {
                readOwnPending = true
                if case RedisError.server(let message) = error, message.hasPrefix("NOGROUP") { groupReady = false }
                logger.warning("usage drain paused", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: options.retryDelay)
            }
        }
    }

    /// Reads one batch and stores it; returns how many entries it handled.
    @discardableResult
    func drainOnce(id: String) async throws -> Int {
        var arguments = ["GROUP", Self.group, consumer, "COUNT", String(options.batchSize)]
        if id == ">" {
            arguments += [
                "BLOCK", String(Int(options.block.milliseconds)),
            ]
        }
        arguments += ["STREAMS", stream, id]
        let reply = try await redis.sendOnDedicatedConnection(RedisCommand("XREADGROUP", arguments: arguments))
        guard let streams = reply.array, let entries = streams.first?.array?[1].array else { return 0 }
        // New entries (">") reach a drainer for the first time; its own pending ones ("0") may be stored already.
        try await store(entries: entries, firstDelivery: id == ">")
        return entries.count
    }

    /// Takes over entries another drainer read but never acknowledged.
    func claimAbandoned() async throws {
        let idle = String(Int(options.claimAfter.milliseconds))
        var cursor = "0-0"
        repeat {
            let reply = try await redis.send(
                RedisCommand("XAUTOCLAIM", stream, Self.group, consumer, idle, cursor, "COUNT", String(options.batchSize)))
            guard let parts = reply.array, parts.count >= 2, let next = parts[0].string, let entries = parts[1].array else { return }
            if !entries.isEmpty {
                logger.notice("claimed usage events of a stopped drainer", metadata: ["count": "\(entries.count)"])
                try await store(entries: entries)
            }
            cursor = next
        } while cursor != "0-0"
    }

    private func store(entries: [RedisValue], firstDelivery: Bool = false) async throws {
        var ids: [String] = []
        var events: [UsageEvent] = []
        for entry in entries {
            guard let parts = entry.array, parts.count == 2, let id = parts[0].string else { continue }
            ids.append(id)
            // A deleted entry claimed again has no fields; an entry that is not an event is dropped.
            if let fields = parts[1].array, let event = UsageEvent(streamFields: fields) { events.append(event) }
        }
        guard !ids.isEmpty else { return }
        do {
            try await store.insert(events, firstDelivery: firstDelivery)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
            // An event whose account no longer exists can never be stored: store the rest one by one
            // rather than let one bad entry stop the stream.
            for event in events {
                do {
                    try await store.insert([event])
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
                    logger.error("dropping a usage event of an unknown account", metadata: ["request_id": "\(event.requestID)"])
                }
            }
        }
        try await afterInsert(events)
        // Acknowledge only after the commit, then trim what is acknowledged.
        _ = try await redis.pipeline([
            RedisCommand("XACK", arguments: [stream, Self.group] + ids),
            RedisCommand("XDEL", arguments: [stream] + ids),
        ])
    }

    /// Creates the consumer group if it is missing.
    func ensureGroup() async throws {
        do {
            // From the start of the stream: events added before any drainer existed count too.
            try await redis.send("XGROUP", "CREATE", stream, Self.group, "0", "MKSTREAM")
        } catch RedisError.server(let message) where message.hasPrefix("BUSYGROUP") {
            return
        }
    }
}
