import Synchronization

/// A small least-recently-used map whose entries expire: the in-process layer in front of a shared
/// store (parsed filters, provider answers, cached search answers).
public final class LRUCache<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expires: ContinuousClock.Instant
        var lastUse: UInt64
    }

    private struct Storage {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }

    public let capacity: Int
    /// How long an entry lives unless ``set(_:forKey:ttl:now:)`` says otherwise.
    public let ttl: Duration
    private let storage = Mutex(Storage())

    public init(capacity: Int, ttl: Duration) {
        self.capacity = max(1, capacity)
        self.ttl = ttl
    }

    public func value(forKey key: String, now: ContinuousClock.Instant = .now) -> Value? {
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

    public func set(_ value: Value, forKey key: String, ttl: Duration? = nil, now: ContinuousClock.Instant = .now) {
        storage.withLock { storage in
            storage.clock += 1
            storage.entries[key] = Entry(value: value, expires: now + (ttl ?? self.ttl), lastUse: storage.clock)
            guard storage.entries.count > capacity else { return }
            // Evict the least recently used eighth at once, so eviction stays cheap on average.
            let evictions = max(1, capacity / 8)
            let oldest = storage.entries.sorted { $0.value.lastUse < $1.value.lastUse }.prefix(evictions).map(\.key)
            for key in oldest { storage.entries[key] = nil }
        }
    }

    public var count: Int { storage.withLock { $0.entries.count } }
}
