import Core
import Foundation
import Logging
import QueryParsing
import Redis

/// Parsed filters shared by every instance through Redis (`mf:filters:`), with a TTL. Redis being
/// down makes every lookup a miss; it never fails a parse.
public struct RedisFiltersStore: FiltersStore {
    let cache: RedisBlobCache

    public init(redis: RedisClient, logger: Logger) {
        cache = RedisBlobCache(redis: redis, prefix: "mf:filters:", logger: logger)
    }

    public func filters(forKey key: String) async -> Filters? {
        guard let bytes = await cache.bytes(forKey: key) else { return nil }
        return try? JSONDecoder().decode(Filters.self, from: Data(bytes))
    }

    public func store(_ filters: Filters, forKey key: String, ttl: Duration) async {
        guard let json = try? JSONEncoder().encode(filters) else { return }
        await cache.store([UInt8](json), forKey: key, ttl: ttl)
    }
}
