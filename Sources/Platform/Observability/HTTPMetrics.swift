import Prometheus
import Synchronization

/// The HTTP server's Prometheus series: requests by method, route and status, and their latency.
public final class HTTPMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Latency buckets from 1 ms to 10 s: a cached answer lives in the first few, a cold search in the last.
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10),
    ]

    /// The two series of each method, route and status, once looked up: the registry builds names and
    /// label lists on every lookup, a cost every request paid.
    private let series = Mutex<[SeriesKey: Series]>([:])

    private struct SeriesKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private struct Series {
        var requests: Counter
        var duration: DurationHistogram
    }

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    public func record(method: String, route: String, status: Int, duration: Duration) {
        let key = SeriesKey(method: method, route: route, status: status)
        let found = series.withLock { $0[key] }
        let series = found ?? makeSeries(key)
        series.requests.increment()
        series.duration.record(duration)
    }

    private func makeSeries(_ key: SeriesKey) -> Series {
        let labels = [("method", key.method), ("route", key.route), ("status", String(key.status))]
        let made = Series(
            requests: registry.makeCounter(
                descriptor: .init(metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered."),
                labels: labels),
            duration: registry.makeDurationHistogram(
                descriptor: .init(metricName: "http_request_duration", unitName: "seconds", helpText: "Time to answer HTTP requests."),
                labels: labels,
                buckets: Self.buckets))
        // The registry hands out the same series for the same labels, so a race here is harmless.
        series.withLock { $0[key] = made }
        return made
    }

    /// The exposition text for `/metrics`.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
