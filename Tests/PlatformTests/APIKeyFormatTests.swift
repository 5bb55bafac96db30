@testable import Accounts
import Foundation
import Testing

@testable import Platform

@Suite struct APIKeyFormatTests {
    @Test func generatedKeysAreWellFormedAndDistinct() {
        let keys = (0..<200).map { _ in APIKeyFormat.generate() }
        #expect(Set(keys).count == keys.count)
        for key in keys {
            #expect(key.hasPrefix("mf_live_"))
            #expect(key.count == 8 + 40)
            #expect(APIKeyFormat.isWellFormed(key))
        }
    }

    @Test func base62IsUniform() {
        // 40 characters × 2,000 keys: each of 62 symbols expected ~1,290 times; bias would push one far off.
        var counts: [Character: Int] = [:]
        for _ in 0..<2000 {
            for character in APIKeyFormat.generate().dropFirst(8) { counts[character, default: 0] += 1 }
        }
        #expect(counts.count == 62)
        let expected = 2000.0 * 40 / 62
        for (_, count) in counts { #expect(abs(Double(count) - expected) < expected * 0.2) }
    }

    @Test(arguments: [
        "", "mf_live_", "mf_live_short", "mf_test_" + String(repeating: "a", count: 40), "mf_live_" + String(repeating: "-", count: 40),
    ])
    func malformedKeysAreRefused(_ key: String) {
        #expect(!APIKeyFormat.isWellFormed(key))
    }

    @Test func hashIsSHA256() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        let hex = APIKeyFormat.hash("abc").map { String(format: "%02x", $0) }.joined()
        #expect(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(APIKeyFormat.displayPrefix("mf_live_AbCdEfGh") == "mf_live_AbCd")
    }
}
