import Prometheus

/// The HTTP server's Prometheus series: requests by method, route and status, and their latency.
public struct HTTPMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Latency buckets from 1 ms to 10 s: a cached answer lives in the first few, a cold search in the last.
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10),
    ]

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    public func record(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(
            descriptor: .init(metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered."),
            labels: labels
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(metricName: "http_request_duration", unitName: "seconds", helpText: "Time to answer HTTP requests."),
            labels: labels,
            buckets: Self.buckets
        ).record(duration)
    }

    /// The exposition text for `/metrics`.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
