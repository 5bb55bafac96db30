import Foundation
import QueryParsing

/// `musicforge bench-parse`'s measuring: the rule parser over `queries`, each `rounds` times.
public enum ParserBenchmark {
    /// Microseconds per query (the median of its rounds, so one slow scheduling blip does not count):
    /// median, p90, p99 and max over the queries, with a checksum that keeps the work from being elided.
    public static func report(queries: [String], rounds: Int) -> [String: Any] {
        let parser = RuleParser()
        var checksum = 0
        for query in queries { checksum &+= parser.parse(query).genres.count }  // warm-up
        var perQuery: [Double] = []
        let clock = ContinuousClock()
        for query in queries {
            var samples: [Double] = []
            samples.reserveCapacity(rounds)
            for _ in 0..<rounds {
                let start = clock.now
                checksum &+= parser.parse(query).keywords.count
                let elapsed = clock.now - start
                samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
            }
            samples.sort()
            perQuery.append(samples[samples.count / 2])
        }
        perQuery.sort()
        func percentile(_ p: Double) -> Double { perQuery[min(perQuery.count - 1, Int(Double(perQuery.count) * p))] }
        return [
            "queries": queries.count, "rounds": rounds, "median_us": percentile(0.5), "p90_us": percentile(0.9),
            "p99_us": percentile(0.99), "max_us": perQuery.last ?? 0, "checksum": checksum,
        ]
    }
}
