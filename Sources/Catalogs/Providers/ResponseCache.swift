import Synchronization

/// Provider answers kept for a while, so repeated searches spend no quota. Redis in the server
/// (`Platform`); ``MemoryResponseCache`` for the command line and tests. Failures are misses.
public protocol ResponseCache: Sendable {
    func cachedResponse(forKey key: String) async -> [UInt8]?
    func storeResponse(_ body: [UInt8], forKey key: String, ttl: Duration) async
}

/// An in-process cache of values that expire, with a size bound.
public final class MemoryCache<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex([String: Entry]())
    private let capacity: Int

    public init(capacity: Int = 512) { self.capacity = capacity }

    public func value(forKey key: String) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.expires > .now else { return nil }
            return entry.value
        }
    }

    public func store(_ value: Value, forKey key: String, ttl: Duration) {
        entries.withLock { entries in
            if entries.count >= capacity {
                let now = ContinuousClock.now
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity, let any = entries.keys.first { entries[any] = nil }
            }
            entries[key] = Entry(value: value, expires: .now + ttl)
        }
    }
}

/// Provider answers in process memory.
public typealias MemoryResponseCache = MemoryCache<[UInt8]>

extension MemoryCache: ResponseCache where Value == [UInt8] {
    public func cachedResponse(forKey key: String) async -> [UInt8]? { value(forKey: key) }
    public func storeResponse(_ body: [UInt8], forKey key: String, ttl: Duration) async { store(body, forKey: key, ttl: ttl) }
}
