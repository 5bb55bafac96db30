import Foundation
import Metrics
import Synchronization

/// Counts YouTube Data API quota units spent per day (search.list costs 100, videos.list 1), for
/// `/metrics`: `musicforge_youtube_quota_units_today` and `musicforge_youtube_quota_units_total`.
///
/// Days are UTC days here; Google resets the quota at midnight Pacific time, so the gauge is a guide
/// for operators, not an account statement.
public final class QuotaMeter: Sendable {
    private struct State {
        var day = ""
        var units = 0
    }

    private let state = Mutex(State())
    private let today = Gauge(label: "musicforge_youtube_quota_units_today")
    private let total = Counter(label: "musicforge_youtube_quota_units_total")

    public init() {}

    func spend(_ units: Int, now: Date = Date()) {
        let day = Self.day(of: now)
        let spent = state.withLock { state in
            if state.day != day { state = State(day: day, units: 0) }
            state.units += units
            return state.units
        }
        today.record(spent)
        total.increment(by: units)
    }

    /// Units spent so far today (UTC).
    public func unitsToday(now: Date = Date()) -> Int {
        let day = Self.day(of: now)
        return state.withLock { $0.day == day ? $0.units : 0 }
    }

    private static func day(of date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970)
        return String(seconds / 86_400)
    }
}
