import Catalogs
import Foundation
import Logging

/// Catalogue answers shared by every instance through Redis (`mf:provider:<sha256 of the request>`),
/// so a YouTube search costs its quota once a day, not once per instance. Redis down: a miss.
public struct RedisResponseCache: ResponseCache {
    let redis: RedisClient
    let logger: Logger

    public init(redis: RedisClient, logger: Logger) {
        self.redis = redis
        self.logger = logger
    }

    static func redisKey(_ key: String) -> String { RedisClient.digestKey("mf:provider:", key) }

    public func cachedResponse(forKey key: String) async -> [UInt8]? {
        do {
            guard case .bulk(let bytes) = try await redis.send("GET", Self.redisKey(key)) else { return nil }
            return bytes
        } catch {
            logger.debug("provider cache read failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    public func storeResponse(_ body: [UInt8], forKey key: String, ttl: Duration) async {
        do {
            let command = RedisCommand(bytes: [
                Array("SET".utf8), Array(Self.redisKey(key).utf8), body, Array("EX".utf8),
                Array(String(max(1, ttl.components.seconds)).utf8),
            ])
            _ = try await redis.send(command)
        } catch {
            logger.debug("provider cache write failed", metadata: ["error": "\(error)"])
        }
    }
}
