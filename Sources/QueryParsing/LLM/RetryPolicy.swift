import Foundation

/// When and how long to wait before asking again.
///
/// Retries 408, 409, 429 (unless the quota is exhausted), every 5xx and Anthropic's 529, with
/// exponential backoff and full jitter; a `retry-after-ms` or `retry-after` header (seconds or an
/// HTTP date, RFC 9110 §10.2.3) replaces the computed wait. A wait that would pass the deadline is
/// not taken: the call fails at once and the caller falls back.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(2)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || (500...599).contains(status)
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1).
    func delay(afterAttempt attempt: Int, retryAfterMilliseconds: String?, retryAfter: String?, now: Date = Date()) -> Duration {
        if let text = retryAfterMilliseconds, let milliseconds = Double(text.trimmingCharacters(in: .whitespaces)), milliseconds >= 0 {
            return .milliseconds(milliseconds)
        }
        if let text = retryAfter?.trimmingCharacters(in: .whitespaces) {
            if let seconds = Double(text), seconds >= 0 { return .milliseconds(seconds * 1000) }
            if let date = Self.httpDate(text) { return .milliseconds(max(0, date.timeIntervalSince(now) * 1000)) }
        }
        let exponential = baseDelay * (1 << min(attempt - 1, 10))
        let capped = min(exponential, maxDelay)
        return capped * Double.random(in: 0.5...1)
    }

    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
