import Foundation
import Logging
import QueryParsing

/// Parsed filters shared by every instance through Redis, under `mf:filters:<sha256 of the key>`
/// with a TTL. Redis being down makes every lookup a miss; it never fails a parse.
public struct RedisFiltersStore: FiltersStore {
    let redis: RedisClient
    let logger: Logger

    public init(redis: RedisClient, logger: Logger) {
        self.redis = redis
        self.logger = logger
    }

    static func redisKey(_ key: String) -> String { RedisClient.digestKey("mf:filters:", key) }

    public func filters(forKey key: String) async -> Filters? {
        do {
            let value = try await redis.send("GET", Self.redisKey(key))
            guard let text = value.string else { return nil }
            return try JSONDecoder().decode(Filters.self, from: Data(text.utf8))
        } catch {
            logger.debug("filters cache read failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    public func store(_ filters: Filters, forKey key: String, ttl: Duration) async {
        do {
            let json = String(decoding: try JSONEncoder().encode(filters), as: UTF8.self)
            _ = try await redis.send("SET", Self.redisKey(key), json, "EX", String(max(1, ttl.components.seconds)))
        } catch {
            logger.debug("filters cache write failed", metadata: ["error": "\(error)"])
        }
    }
}
