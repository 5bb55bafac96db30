import Synchronization

/// Provider answers kept for a while, so repeated searches spend no quota. Redis in the server
/// (`Platform`); ``MemoryResponseCache`` for the command line and tests. Failures are misses.
public protocol ResponseCache: Sendable {
    func cachedResponse(forKey key: String) async -> [UInt8]?
    func storeResponse(_ body: [UInt8], forKey key: String, ttl: Duration) async
}

/// An in-process response cache with a size bound.
public final class MemoryResponseCache: ResponseCache {
    private struct Entry {
        var body: [UInt8]
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex([String: Entry]())
    private let capacity: Int

    public init(capacity: Int = 512) { self.capacity = capacity }

    public func cachedResponse(forKey key: String) async -> [UInt8]? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.expires > .now else { return nil }
            return entry.body
        }
    }

    public func storeResponse(_ body: [UInt8], forKey key: String, ttl: Duration) async {
        entries.withLock { entries in
            if entries.count >= capacity {
                let now = ContinuousClock.now
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity, let any = entries.keys.first { entries[any] = nil }
            }
            entries[key] = Entry(body: body, expires: .now + ttl)
        }
    }
}
