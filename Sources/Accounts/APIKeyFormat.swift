import Crypto
import Foundation

/// The shape of API keys: `mf_live_` and 40 base62 characters from the system CSPRNG.
///
/// Only the SHA-256 of a key is ever stored, with a short display prefix; the key itself is shown once.
public enum APIKeyFormat {
    public static let scheme = "mf_live_"
    public static let randomLength = 40
    public static let minimumRandomLength = 32
    /// Characters of a key kept for display (`mf_live_` and four more): enough to tell keys apart, useless to guess.
    public static let displayPrefixLength = scheme.count + 4

    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// A new secret key.
    public static func generate() -> String {
        scheme + randomBase62(count: randomLength)
    }

    /// A new key id (`key_` and 16 base62 characters): public, printed and used in URLs.
    public static func generateID() -> String {
        "key_" + randomBase62(count: 16)
    }

    /// Whether a string has the form of a key; says nothing of whether the key exists.
    public static func isWellFormed(_ key: some StringProtocol) -> Bool {
        guard key.hasPrefix(scheme) else { return false }
        let body = key.utf8.dropFirst(scheme.utf8.count)
        return body.count >= minimumRandomLength && body.count <= 128
            && body.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
    }

    /// SHA-256 of the key's UTF-8 bytes: what the database stores and looks up by.
    public static func hash(_ key: some StringProtocol) -> [UInt8] {
        Array(digest(key))
    }

    /// ``hash(_:)`` as the digest itself, hashed straight from the string's bytes: what the in-process
    /// key cache looks up by, on every request.
    public static func digest(_ key: some StringProtocol) -> SHA256Digest {
        var hasher = SHA256()
        let hashedInPlace: Void? = key.utf8.withContiguousStorageIfAvailable { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        if hashedInPlace == nil { hasher.update(data: Array(key.utf8)) }
        return hasher.finalize()
    }

    public static func displayPrefix(_ key: String) -> String {
        String(key.prefix(displayPrefixLength))
    }

    /// Uniform base62 from a CSPRNG: bytes of 248 or more are rejected so no character is favoured.
    private static func randomBase62(count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            if byte < 248 { result.append(alphabet[Int(byte % 62)]) }
        }
        return String(decoding: result, as: UTF8.self)
    }
}

/// A key's tier: it decides the rate limits.
public enum Tier: String, Sendable, CaseIterable, Codable {
    case free, pro, enterprise
}
