import Foundation
import Logging
import Redis
import ServiceLifecycle
import Synchronization

/// Tells every instance at once that a key was revoked or rotated, through Redis Pub/Sub.
///
/// Each server subscribes with a dedicated connection on a thread of its own (a subscription blocks
/// for ever), evicting the key from its ``KeyVerifier``. After a lost subscription it forgets every
/// cached key, since messages may have been missed meanwhile.
public final class KeyRevocations: Service, Sendable {
    public static let channel = "musicforge:keys:changed"

    let redis: RedisClient
    let verifier: KeyVerifier
    let logger: Logger
    private let connection = Mutex<RedisConnection?>(nil)
    private let stopped = Atomic<Bool>(false)

    public init(redis: RedisClient, verifier: KeyVerifier, logger: Logger) {
        self.redis = redis
        self.verifier = verifier
        self.logger = logger
    }

    /// Announces that a key changed; the verifier of this instance forgets it too.
    public func publish(keyID: String) async {
        verifier.invalidate(keyID: keyID)
        do {
            try await redis.send("PUBLISH", Self.channel, keyID)
        } catch {
            // Other instances still see the change when their cache entry expires (KeyVerifier.ttl).
            logger.warning("could not publish a key change", metadata: ["key_id": "\(keyID)", "error": "\(error)"])
        }
    }

    /// Subscribes until the service group shuts down.
    public func run() async throws {
        let thread = Thread { [self] in self.subscribeLoop() }
        thread.name = "mf-key-changes"  // at most 15 characters (pthread names)
        thread.start()
        try? await gracefulShutdown()
        stopped.store(true, ordering: .releasing)
        connection.withLock { $0?.shutdownSocket() }
    }

    private func subscribeLoop() {
        var hadSubscription = false
        while !stopped.load(ordering: .acquiring) {
            do throws(RedisError) {
                let subscriber = try RedisConnection(settings: redis.settings, connectTimeout: .seconds(1), commandTimeout: .zero)
                connection.withLock { $0 = subscriber }
                _ = try subscriber.send([RedisCommand("SUBSCRIBE", Self.channel)])
                if hadSubscription {
                    verifier.invalidateAll()
                    logger.notice("key change subscription restored; cached keys dropped")
                }
                hadSubscription = true
                while !stopped.load(ordering: .acquiring) {
                    let message = try subscriber.readReply()
                    if let parts = message.array, parts.count == 3, parts[0].string == "message", let keyID = parts[2].string {
                        verifier.invalidate(keyID: keyID)
                    }
                }
            } catch {
                if stopped.load(ordering: .acquiring) { break }
                logger.warning("key change subscription lost; retrying", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        connection.withLock { $0 = nil }
    }
}
