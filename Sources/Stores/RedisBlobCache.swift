import Catalogs
import Logging
import Redis

/// Bytes kept in Redis for a while under `prefix` + the SHA-256 of a key (a bounded key for any
/// text: a query, a request URL, a track id), shared by every instance. Redis down is a miss, never an
/// error. Provider answers, parsed filters, analyses and search answers all go through one of these.
public struct RedisBlobCache: Sendable {
    let redis: RedisClient
    let prefix: String
    let logger: Logger

    public init(redis: RedisClient, prefix: String, logger: Logger) {
        self.redis = redis
        self.prefix = prefix
        self.logger = logger
    }

    /// The Redis key that holds `key`'s bytes.
    func redisKey(_ key: String) -> String { RedisClient.digestKey(prefix, key) }

    public func bytes(forKey key: String) async -> [UInt8]? {
        do {
            guard case .bulk(let bytes) = try await redis.send("GET", redisKey(key)) else { return nil }
            return bytes
        } catch {
            logger.debug("cache read failed", metadata: ["prefix": "\(prefix)", "error": "\(error)"])
            return nil
        }
    }

    public func store(_ bytes: [UInt8], forKey key: String, ttl: Duration) async {
        do {
            _ = try await redis.send(
                RedisCommand(bytes: [
                    Array("SET".utf8), Array(redisKey(key).utf8), bytes, Array("EX".utf8),
                    Array(String(max(1, ttl.components.seconds)).utf8),
                ]))
        } catch {
            logger.debug("cache write failed", metadata: ["prefix": "\(prefix)", "error": "\(error)"])
        }
    }
}

/// Catalogue answers (`mf:provider:`), so a YouTube search costs its quota once a day, not once per instance.
extension RedisBlobCache: ResponseCache {
    public func cachedResponse(forKey key: String) async -> [UInt8]? { await bytes(forKey: key) }
    public func storeResponse(_ body: [UInt8], forKey key: String, ttl: Duration) async { await store(body, forKey: key, ttl: ttl) }
}
