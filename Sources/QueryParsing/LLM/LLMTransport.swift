import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// POSTs JSON to a provider with the retry policy, under one deadline for the whole call.
public struct LLMTransport: Sendable {
    public let client: HTTPClient
    public let retry: RetryPolicy
    /// Largest answer read; a provider's filters are a few kilobytes.
    public let maxResponseBytes: Int

    public init(client: HTTPClient = .shared, retry: RetryPolicy = .init(), maxResponseBytes: Int = 1 << 20) {
        self.client = client
        self.retry = retry
        self.maxResponseBytes = maxResponseBytes
    }

    /// A provider's answer: its status and body.
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
    }

    /// Sends `body` to `url` until it succeeds, fails for good, or the deadline would pass.
    ///
    /// - Parameter isQuotaExhausted: tells a quota-exhausted 429 (no retry) from a rate limit.
    /// - Returns: the first 2xx response.
    func post(
        _ url: String, headers: [(String, String)], body: [UInt8], deadline: ContinuousClock.Instant,
        isQuotaExhausted: @Sendable (Response) -> Bool, errorMessage: @Sendable (Response) -> String
    ) async throws(LLMError) -> Response {
        var attempt = 0
        while true {
            attempt += 1
            let remaining = deadline - .now
            guard remaining > .zero else { throw .timeout }
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.headers.add(name: "accept", value: "application/json")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))

            let response: Response
            let responseHeaders: HTTPHeaders
            do {
                let answer = try await client.execute(request, timeout: .nanoseconds(Int64(remaining.nanoseconds)))
                responseHeaders = answer.headers
                var collected = try await answer.body.collect(upTo: maxResponseBytes)
                response = Response(status: Int(answer.status.code), body: collected.readBytes(length: collected.readableBytes) ?? [])
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                throw .timeout
            } catch is NIOTooManyBytesError {
                throw .malformed("answer larger than \(maxResponseBytes) bytes")
            } catch {
                if deadline - .now <= .zero { throw .timeout }
                throw .transport(String(describing: error))
            }

            if (200..<300).contains(response.status) { return response }
            let failure: LLMError
            if response.status == 429 && isQuotaExhausted(response) {
                throw .quotaExhausted
            } else if response.status == 429 {
                failure = .rateLimited
            } else {
                failure = .http(status: response.status, message: errorMessage(response))
            }
            guard RetryPolicy.isRetryable(status: response.status), attempt < retry.maxAttempts else { throw failure }
            let wait = retry.delay(
                afterAttempt: attempt, retryAfterMilliseconds: responseHeaders.first(name: "retry-after-ms"),
                retryAfter: responseHeaders.first(name: "retry-after"))
            // A wait that outlasts the deadline is not worth starting: fall back now.
            guard ContinuousClock.now + wait < deadline else { throw failure }
            do {
                try await Task.sleep(for: wait)
            } catch {
                throw .timeout
            }
        }
    }
}

extension Duration {
    var nanoseconds: Double {
        Double(components.seconds) * 1e9 + Double(components.attoseconds) / 1e9
    }
}

/// JSON helpers for the wire formats: Foundation's JSONSerialization values.
enum WireJSON {
    static func encode(_ object: Any) -> [UInt8] {
        (try? [UInt8](JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))) ?? []
    }

    static func object(_ bytes: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) as? [String: Any]
    }

    /// `{"error": {"message": ...}}`, the shape both providers use for errors.
    static func errorMessage(_ bytes: [UInt8]) -> String {
        guard let error = object(bytes)?["error"] as? [String: Any], let message = error["message"] as? String else { return "" }
        return String(message.prefix(200))
    }
}
