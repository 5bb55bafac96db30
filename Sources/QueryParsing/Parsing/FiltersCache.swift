import Core
/// Where parsed filters are kept between processes: Redis in the server (`Platform`).
///
/// Implementations swallow their own failures (a cache that is down is a miss, never an error).
public protocol FiltersStore: Sendable {
    func filters(forKey key: String) async -> Filters?
    func store(_ filters: Filters, forKey key: String, ttl: Duration) async
}
