import Core
import Foundation
import QueryParsing
import Testing

@testable import QueryParsing

@Suite struct PromptAndSchemaTests {
    @Test func theShippedPromptLoadsAndItsExamplesSatisfyTheSchema() throws {
        let prompt = try LLMFixtures.prompt()
        #expect(prompt.version.hasPrefix("1-"))
        let examples = prompt.system.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(examples.count >= 3)
        for example in examples {
            #expect(throws: Never.self) { try prompt.schema.validate(Array(example.utf8)) }
            let filters = try JSONDecoder().decode(Filters.self, from: Data(example.utf8))
            #expect(filters.clamped() == filters, "examples are already within bounds and canonical")
        }
    }

    @Test func theExamplesAgreeWithTheRuleParserOnWhatTheQueryStates() throws {
        // The prompt teaches the same reading as the rules: same tempo and key for the example queries.
        let prompt = try LLMFixtures.prompt()
        let lines = prompt.system.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where line.hasPrefix("Query: ") && index + 1 < lines.count {
            let query = String(line.dropFirst("Query: ".count))
            let expected = try JSONDecoder().decode(Filters.self, from: Data(lines[index + 1].utf8))
            let rules = RuleParser().parse(query)
            #expect(rules.key == expected.key, "\(query)")
            if rules.bpm != nil && expected.bpm != nil { #expect(rules.bpm == expected.bpm, "\(query)") }
        }
    }

    @Test func aSchemaUsingKeywordsTheValidatorCannotEnforceIsRefused() {
        #expect(throws: FiltersSchema.UnsupportedSchema.self) {
            try FiltersSchema(bytes: Array(#"{"type": "object", "anyOf": [{"type": "object"}]}"#.utf8))
        }
    }

    @Test func theValidatorChecksTypesEnumsBoundsAndClosedObjects() throws {
        let schema = try FiltersSchema(
            bytes: Array(
                #"{"type": "object", "additionalProperties": false, "required": ["n", "tags"], "properties": {"n": {"type": ["integer", "null"], "minimum": 1, "maximum": 9}, "tags": {"type": "array", "maxItems": 2, "items": {"type": "string", "enum": ["a", "b"]}}}}"#
                    .utf8))
        func problem(_ json: String) -> LLMError? {
            do {
                try schema.validate(Array(json.utf8))
                return nil
            } catch {
                return error
            }
        }
        #expect(problem(#"{"n": 3, "tags": ["a"]}"#) == nil)
        #expect(problem(#"{"n": null, "tags": []}"#) == nil)
        #expect(problem(#"{"n": 3.5, "tags": []}"#) == .schemaViolation("$.n should be integer or null"))
        #expect(problem(#"{"n": 10, "tags": []}"#) == .schemaViolation("$.n is above 9.0"))
        #expect(problem(#"{"n": 1, "tags": ["c"]}"#) == .schemaViolation("$.tags[0] is not one of the allowed values"))
        #expect(problem(#"{"n": 1, "tags": ["a", "b", "a"]}"#) == .schemaViolation("$.tags has more than 2 items"))
        #expect(problem(#"{"n": 1}"#) == .schemaViolation("$.tags is missing"))
        #expect(problem(#"{"n": 1, "tags": [], "x": 0}"#) == .schemaViolation("$.x is not allowed"))
        #expect(problem("[1") == .malformed("not JSON"))
    }
}

@Suite struct ResilienceTests {
    @Test func theCircuitLetsOneTrialThroughAfterItsPause() {
        let breaker = CircuitBreaker(failureThreshold: 2, openDuration: .seconds(10))
        let start = ContinuousClock.now
        #expect(breaker.permitsCall(now: start))
        breaker.recordFailure(now: start)
        #expect(breaker.permitsCall(now: start), "one failure is not enough")
        breaker.recordFailure(now: start)
        #expect(!breaker.permitsCall(now: start + .seconds(5)))
        #expect(breaker.permitsCall(now: start + .seconds(11)), "the trial call")
        #expect(!breaker.permitsCall(now: start + .seconds(11)), "only one trial at a time")
        breaker.recordFailure(now: start + .seconds(12))
        #expect(!breaker.permitsCall(now: start + .seconds(13)), "a failed trial opens it again")
        #expect(breaker.permitsCall(now: start + .seconds(23)))
        breaker.recordSuccess()
        #expect(breaker.permitsCall(now: start + .seconds(23)) && breaker.permitsCall(now: start + .seconds(23)))
    }

    @Test func retryAfterIsReadInEveryForm() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.delay(afterAttempt: 1, retryAfterMilliseconds: "250", retryAfter: "9") == .milliseconds(250))
        #expect(policy.delay(afterAttempt: 1, retryAfterMilliseconds: nil, retryAfter: "2") == .seconds(2))
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        let inThreeSeconds = "Mon, 24 Nov 2025 16:00:03 GMT"
        let fromDate = policy.delay(afterAttempt: 1, retryAfterMilliseconds: nil, retryAfter: inThreeSeconds, now: now)
        #expect(abs((fromDate - .seconds(3)) / .milliseconds(1)) < 1)
        let computed = policy.delay(afterAttempt: 4, retryAfterMilliseconds: nil, retryAfter: "soon")
        #expect(computed >= .milliseconds(400) && computed <= .milliseconds(800), "backoff 100 ms × 2³, jittered, under the cap")
        #expect(RetryPolicy.isRetryable(status: 529) && RetryPolicy.isRetryable(status: 408) && !RetryPolicy.isRetryable(status: 400))
    }

    @Test func theLocalCacheEvictsTheLeastRecentlyUsedAndExpires() {
        let cache = LRUCache<Int>(capacity: 8, ttl: .seconds(60))
        let now = ContinuousClock.now
        for index in 0..<8 { cache.set(index, forKey: "k\(index)", now: now) }
        #expect(cache.value(forKey: "k0", now: now) == 0)  // k0 is now the most recent
        cache.set(8, forKey: "k8", now: now)
        #expect(cache.count == 8)
        #expect(cache.value(forKey: "k1", now: now) == nil, "the least recently used went")
        #expect(cache.value(forKey: "k0", now: now) == 0)
        #expect(cache.value(forKey: "k0", now: now + .seconds(61)) == nil, "expired")
    }
}
