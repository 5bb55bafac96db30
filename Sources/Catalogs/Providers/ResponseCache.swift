import Core

/// Provider answers kept for a while, so repeated searches spend no quota. Redis in the server
/// (`Platform`); ``MemoryResponseCache`` for the command line and tests. Failures are misses.
public protocol ResponseCache: Sendable {
    func cachedResponse(forKey key: String) async -> [UInt8]?
    func storeResponse(_ body: [UInt8], forKey key: String, ttl: Duration) async
}

/// Provider answers in process memory, the least recently used evicted first.
public final class MemoryResponseCache: ResponseCache {
    private let entries: LRUCache<[UInt8]>

    public init(capacity: Int = 512) {
        // Every store names its own time to live; this one is never used.
        entries = LRUCache(capacity: capacity, ttl: .seconds(3600))
    }

    public func cachedResponse(forKey key: String) async -> [UInt8]? { entries.value(forKey: key) }
    public func storeResponse(_ body: [UInt8], forKey key: String, ttl: Duration) async { entries.set(body, forKey: key, ttl: ttl) }
}
