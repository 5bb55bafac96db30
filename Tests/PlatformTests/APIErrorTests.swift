@testable import Accounts
import AnalysisWorkers
import AudioAnalysis
import Foundation
import Redis
import Testing

@testable import Platform

@Suite struct APIErrorTests {
    @Test func errorBodyIsValidJSONWhateverTheText() throws {
        let message = "Quote \" backslash \\ newline \n tab \t bell \u{07} é 🎵 </script>"
        let error = APIError(
            .tooManyRequests, message: message,
            details: ["window_seconds": 60, "nested": ["list": [1, "two", true, .null]], "ratio": .number(0.5)])
        let body = error.body(requestID: "req_\"x")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let inner = try #require(parsed["error"] as? [String: Any])
        #expect(inner["code"] as? String == "RATE_LIMITED")
        #expect(inner["message"] as? String == message)
        #expect(inner["request_id"] as? String == "req_\"x")
        let details = try #require(inner["details"] as? [String: Any])
        #expect(details["window_seconds"] as? Int == 60)
        #expect(details["ratio"] as? Double == 0.5)
        #expect(((details["nested"] as? [String: Any])?["list"] as? [Any])?.count == 4)
    }

    @Test func noDetailsMeansNoDetailsKey() throws {
        let body = String(decoding: APIError.notFound("There is no route /x.").body(requestID: "r"), as: UTF8.self)
        #expect(body == #"{"error":{"code":"NOT_FOUND","message":"There is no route /x.","request_id":"r"}}"#)
    }
}

@Suite struct UsageEventTests {
    @Test func streamEntryRoundTrips() {
        let event = UsageEvent(
            requestID: "req_abc", accountID: 42, keyID: "key_x", route: "/v1/tracks/{id}", method: "GET", status: 429, cost: 0,
            latencyMilliseconds: 1.25, occurredAt: Date(timeIntervalSince1970: 1_795_000_000.123456), cacheHit: true)
        let fields = event.streamFields.map { RedisValue.bulk($0) }
        let decoded = UsageEvent(streamFields: fields)
        #expect(decoded?.requestID == "req_abc")
        #expect(decoded?.route == "/v1/tracks/{id}")
        #expect(decoded?.status == 429)
        #expect(decoded?.cacheHit == true)
        #expect(abs((decoded?.occurredAt.timeIntervalSince1970 ?? 0) - 1_795_000_000.123456) < 0.000_01)
        #expect(UsageEvent(streamFields: [.bulk(Array("x".utf8)), .bulk(Array("y".utf8))]) == nil)
    }
}

@Suite struct AnalysisErrorMappingTests {
    @Test func aFullPoolIs503WithRetryAfter() {
        let error = APIError(AnalysisError.queueFull(retryAfterSeconds: 7))
        #expect(error.status == .serviceUnavailable)
        #expect(error.code == "UNAVAILABLE")
        #expect(error.headers[.retryAfter] == "7")
    }

    @Test func inputThatIsNotAudioIs415AndDamagedAudio422() {
        #expect(APIError(AnalysisError.decoding(code: "UNSUPPORTED_MEDIA", message: "x")).status == .unsupportedMediaType)
        #expect(APIError(AnalysisError.decoding(code: "EMPTY_INPUT", message: "x")).status == .unsupportedMediaType)
        #expect(APIError(AnalysisError.decoding(code: "PAYLOAD_TOO_LARGE", message: "x")).code == "PAYLOAD_TOO_LARGE")
        #expect(APIError(AnalysisError.decoding(code: "INVALID_AUDIO", message: "x")).status == .unprocessableContent)
        #expect(APIError(AnalysisError.workerCrashed("signal 11")).status == .unprocessableContent)
    }
}
