import Crypto
import Foundation
import Logging
import Synchronization

/// Why a key was refused.
public enum AuthenticationError: Error, Equatable {
    case missing
    case malformed
    case unknown
    case revoked
    case expired
    /// The key store cannot be reached and the key is not in the cache.
    case storeUnavailable
}

/// Checks API keys without a database round trip on the hot path.
///
/// Verified keys (and unknown ones) are cached in process by their SHA-256 for ``ttl``; revocations and
/// rotations published through Redis evict them at once on every instance (``KeyRevocations``). When
/// PostgreSQL is unreachable, a cached answer is used past its TTL rather than refusing known callers.
public final class KeyVerifier: Sendable {
    private struct Entry: Sendable {
        var record: KeyRecord?
        var fetchedAt: ContinuousClock.Instant
    }

    let store: KeyStore
    let ttl: Duration
    let negativeTTL: Duration
    let logger: Logger
    /// By the key's SHA-256, as four words: a key that needs no allocation to make or compare.
    private let cache = Mutex<[SIMD4<UInt64>: Entry]>([:])

    public init(store: KeyStore, ttl: Duration = .seconds(30), negativeTTL: Duration = .seconds(5), logger: Logger) {
        self.store = store
        self.ttl = ttl
        self.negativeTTL = negativeTTL
        self.logger = logger
    }

    /// The active key record for `secret`, or why not.
    public func verify(_ secret: some StringProtocol & Sendable, now: Date = Date()) async throws(AuthenticationError) -> KeyRecord {
        guard APIKeyFormat.isWellFormed(secret) else { throw .malformed }
        let hash = APIKeyFormat.digest(secret).withUnsafeBytes { $0.loadUnaligned(as: SIMD4<UInt64>.self) }
        let cached = cache.withLock { $0[hash] }
        let record: KeyRecord?
        if let cached, ContinuousClock.now - cached.fetchedAt < (cached.record == nil ? negativeTTL : ttl) {
            record = cached.record
        } else {
            do {
                record = try await store.find(secret: String(secret))
                cache.withLock { $0[hash] = Entry(record: record, fetchedAt: .now) }
            } catch {
                guard let cached else {
                    logger.error("key store unreachable", metadata: ["error": "\(String(reflecting: error))"])
                    throw .storeUnavailable
                }
                record = cached.record
            }
        }
        guard let record else { throw .unknown }
        if record.revokedAt != nil { throw .revoked }
        if let expiresAt = record.expiresAt, expiresAt <= now { throw .expired }
        return record
    }

    /// Forgets a key (revoked or rotated elsewhere): the next request reads the store again.
    public func invalidate(keyID: String) {
        cache.withLock { cache in
            for (hash, entry) in cache where entry.record?.id == keyID { cache[hash] = nil }
        }
    }

    /// Forgets every key: after missing revocation messages (a lost Redis subscription).
    public func invalidateAll() {
        cache.withLock { $0.removeAll() }
    }
}
