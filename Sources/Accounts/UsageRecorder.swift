import Foundation
import Logging
import Redis
import Synchronization

/// Appends a usage event to the Redis Stream before the response leaves.
///
/// Should Redis be down, the event goes straight to PostgreSQL; should both be down, it waits in
/// memory and ``UsageDrain`` retries it (and flushes it at shutdown). An event is never dropped for
/// want of a store.
public final class UsageRecorder: Sendable {
    public static let defaultStream = "musicforge:usage"

    /// The Redis Stream the events go to (one per deployment).
    public let stream: String
    let redis: RedisClient
    let store: UsageStore
    let logger: Logger
    private let backlog = Mutex<[UsageEvent]>([])
    /// `XADD <stream> *`, built once: every event's command starts with it.
    private let append: [[UInt8]]

    public init(redis: RedisClient, store: UsageStore, stream: String = UsageRecorder.defaultStream, logger: Logger) {
        self.stream = stream
        self.append = [Array("XADD".utf8), Array(stream.utf8), [UInt8(ascii: "*")]]
        self.redis = redis
        self.store = store
        self.logger = logger
    }

    public func record(_ event: UsageEvent) async {
        do {
            var command: [[UInt8]] = []
            command.reserveCapacity(append.count + 2)
            command.append(contentsOf: append)
            command.append(UsageEvent.field)
            command.append(event.streamValue)
            try await redis.send(RedisCommand(bytes: command))
            return
        } catch {
            logger.warning("usage stream unavailable; writing the event to PostgreSQL", metadata: ["error": "\(error)"])
        }
        do {
            try await store.insert([event])
        } catch {
            logger.error("usage event kept in memory until a store is back", metadata: ["request_id": "\(event.requestID)"])
            backlog.withLock { $0.append(event) }
        }
    }

    /// Events waiting in memory.
    public var backlogCount: Int { backlog.withLock { $0.count } }

    /// Retries the in-memory backlog against PostgreSQL; what fails stays for the next try.
    func flushBacklog() async {
        let events = backlog.withLock { backlog -> [UsageEvent] in
            defer { backlog.removeAll() }
            return backlog
        }
        guard !events.isEmpty else { return }
        do {
            try await store.insert(events)
        } catch {
            backlog.withLock { $0.insert(contentsOf: events, at: 0) }
        }
    }
}
