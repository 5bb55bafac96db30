import Synchronization

/// Where parsed filters are kept between processes: Redis in the server (`Platform`).
///
/// Implementations swallow their own failures (a cache that is down is a miss, never an error).
public protocol FiltersStore: Sendable {
    func filters(forKey key: String) async -> Filters?
    func store(_ filters: Filters, forKey key: String, ttl: Duration) async
}

/// A small least-recently-used map with a time to live, in front of the shared store.
final class LRUCache<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expires: ContinuousClock.Instant
        var lastUse: UInt64
    }

    private struct Storage {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }

    let capacity: Int
    let ttl: Duration
    private let storage = Mutex(Storage())

    init(capacity: Int, ttl: Duration) {
        self.capacity = max(1, capacity)
        self.ttl = ttl
    }

    func value(forKey key: String, now: ContinuousClock.Instant = .now) -> Value? {
        storage.withLock { storage in
            guard var entry = storage.entries[key] else { return nil }
            guard entry.expires > now else {
                storage.entries[key] = nil
                return nil
            }
            storage.clock += 1
            entry.lastUse = storage.clock
            storage.entries[key] = entry
            return entry.value
        }
    }

    func set(_ value: Value, forKey key: String, now: ContinuousClock.Instant = .now) {
        storage.withLock { storage in
            storage.clock += 1
            storage.entries[key] = Entry(value: value, expires: now + ttl, lastUse: storage.clock)
            guard storage.entries.count > capacity else { return }
            // Evict the least recently used eighth at once, so eviction stays cheap on average.
            let evictions = max(1, capacity / 8)
            let oldest = storage.entries.sorted { $0.value.lastUse < $1.value.lastUse }.prefix(evictions).map(\.key)
            for key in oldest { storage.entries[key] = nil }
        }
    }

    var count: Int { storage.withLock { $0.entries.count } }
}
