import Catalogs
import Foundation
import Logging
import QueryParsing
import Search

/// The search endpoints' work: validation, the response cache, the pipeline, the `searches` row.
public struct SearchService: Sendable {
    public let pipeline: SearchPipeline
    let redis: RedisClient
    let database: Database
    let logger: Logger
    /// What a search asks when it names no catalogue.
    public let defaultSources: Set<CatalogSource>
    /// How long the same query, sources and limit are answered from the cache.
    public var cacheTTL: Duration = .seconds(600)

    public init(pipeline: SearchPipeline, redis: RedisClient, database: Database, defaultSources: Set<CatalogSource>, logger: Logger) {
        self.pipeline = pipeline
        self.redis = redis
        self.database = database
        self.defaultSources = defaultSources
        self.logger = logger
    }

    public static let deadlineLimits = 100...30_000

    /// Searches, or answers from the cache.
    public func search(query: String, limit: Int?, sources: Set<CatalogSource>?, deadlineMS: Int?) async throws -> SearchResponse {
        try QueryParser.validate(query)
        let limit = limit ?? 20
        guard (1...SearchPipeline.maxLimit).contains(limit) else {
            throw APIError.invalidRequest("`limit` must be from 1 to \(SearchPipeline.maxLimit).", details: ["field": "limit"])
        }
        if let deadlineMS, !Self.deadlineLimits.contains(deadlineMS) {
            throw APIError.invalidRequest("`deadline_ms` must be from 100 to 30000.", details: ["field": "deadline_ms"])
        }
        let chosen = sources ?? defaultSources
        let normalized = RuleParser().read(query).normalizedQuery
        let cacheKey = RedisClient.digestKey(
            "mf:search:", "\(normalized)|\(chosen.map(\.rawValue).sorted().joined(separator: ","))|\(limit)")

        if case .bulk(let bytes)? = try? await redis.send("GET", cacheKey),
            var cached = try? JSONDecoder().decode(SearchResponse.self, from: Data(bytes))
        {
            cached.cached = true
            RequestScope.current?.cacheHit = true
            return cached
        }

        let response = try await pipeline.search(
            .init(
                query: query, limit: limit, sources: chosen,
                deadline: deadlineMS.map { .milliseconds($0) } ?? SearchPipeline.defaultDeadline))
        // Only complete answers are cached: a pending analysis or a failed catalogue may do better soon.
        let complete = !response.results.contains { $0.pending } && !response.sources.contains { $0.status == .error }
        if complete, let body = try? JSONEncoder().encode(response) {
            let command = RedisCommand(bytes: [
                Array("SET".utf8), Array(cacheKey.utf8), Array(body), Array("EX".utf8), Array(String(cacheTTL.components.seconds).utf8),
            ])
            _ = try? await redis.send(command)
        }
        await record(response)
        return response
    }

    /// The `searches` row: query, filters, result ids and timing.
    private func record(_ response: SearchResponse) async {
        let encoder = JSONEncoder()
        let filters = String(decoding: (try? encoder.encode(response.filters)) ?? Data("{}".utf8), as: UTF8.self)
        let timing = String(decoding: (try? encoder.encode(response.timingMS)) ?? Data("{}".utf8), as: UTF8.self)
        let accountID = RequestScope.current?.principal?.accountID
        do {
            try await database.client.query(
                """
                INSERT INTO searches (id, account_id, query, filters, result_ids, timing)
                VALUES (\(response.searchID), \(accountID), \(response.query), \(filters)::jsonb, \(response.results.map(\.track.id)),
                        \(timing)::jsonb)
                """,
                logger: logger)
        } catch {
            logger.warning(
                "searches row not written", metadata: ["search_id": "\(response.searchID)", "error": "\(String(reflecting: error))"])
        }
    }
}
