import Core
import Foundation

/// Openverse `/v1/audio/`: openly licensed audio from Jamendo, Freesound, Wikimedia and others,
/// anonymously (page size at most 20, strict rate limits, so answers are cached). Durations come in
/// milliseconds. Results from Jamendo are marked so a search that also asks Jamendo can drop them
/// (``CatalogSearch``).
public struct OpenverseProvider: CatalogProvider {
    public let source = CatalogSource.openverse
    public let baseURL: URL
    public let client: ProviderClient
    public let cacheTTL: Duration
    /// Anonymous requests may ask for at most this many results.
    public static let maxPageSize = 20

    public init(baseURL: URL, client: ProviderClient, cacheTTL: Duration = .seconds(3_600)) {
        self.baseURL = baseURL
        self.client = client
        self.cacheTTL = cacheTTL
    }

    public func search(_ filters: Filters, limit: Int, deadline: ContinuousClock.Instant) async throws(CatalogError) -> [Candidate] {
        let terms = CatalogTerms(filters)
        var query: [(String, String)] = [
            ("q", terms.isEmpty ? "music" : terms.text), ("page_size", String(max(1, min(limit, Self.maxPageSize)))),
            ("category", "music"), ("mature", "false"),
        ]
        if let duration = filters.duration, let maxSeconds = duration.maxSeconds {
            query.append(("length", maxSeconds <= 30 ? "shortest" : maxSeconds <= 120 ? "short" : maxSeconds <= 600 ? "medium" : "long"))
        }
        let response = try await client.get(base: baseURL, path: "audio/", query: query, cacheTTL: cacheTTL, deadline: deadline)
        switch response.status {
        case 200: break
        case 429: throw .rateLimited(response.header("retry-after").map { "retry after \($0) s" } ?? "HTTP 429")
        case 401, 403: throw .invalidCredentials("HTTP \(response.status)")
        default:
            let detail = (try? ProviderJSON.object(response.body))?["detail"]
            throw .upstream(status: response.status, message: ProviderJSON.string(detail) ?? "")
        }
        guard let results = try ProviderJSON.object(response.body)["results"] as? [[String: Any]] else {
            throw .malformed("no results list")
        }
        let excluded = Set(filters.exclude)
        return results.compactMap(Self.candidate).filter { excluded.isDisjoint(with: $0.tags) }
    }

    static func candidate(_ result: [String: Any]) -> Candidate? {
        guard let id = ProviderJSON.string(result["id"]), let title = ProviderJSON.string(result["title"]),
            let audio = ProviderJSON.string(result["url"])
        else { return nil }
        var tags = ((result["genres"] as? [String]) ?? []).map { $0.lowercased() }
        for tag in (result["tags"] as? [[String: Any]]) ?? [] {
            if let name = ProviderJSON.string(tag["name"])?.lowercased(), !tags.contains(name) { tags.append(name) }
        }
        let license =
            ProviderJSON.string(result["license_url"])
            ?? ProviderJSON.string(result["license"]).map { "cc-\($0) \(ProviderJSON.string(result["license_version"]) ?? "")" }
        return Candidate(
            source: .openverse, externalID: id, title: title, artist: ProviderJSON.string(result["creator"]),
            durationSeconds: ProviderJSON.number(result["duration"]).map { $0 / 1000 },
            pageURL: ProviderJSON.string(result["foreign_landing_url"]), audio: .url(audio), license: license,
            tags: Array(tags.prefix(20)))
    }

    /// The Jamendo track id of a result that Openverse took from Jamendo, from its landing page URL
    /// (`https://www.jamendo.com/track/1234/…`).
    static func jamendoTrackID(of candidate: Candidate) -> String? {
        guard candidate.source == .openverse, let page = candidate.pageURL, page.contains("jamendo.com"),
            let range = page.range(of: "/track/")
        else { return nil }
        let id = page[range.upperBound...].prefix { $0.isNumber }
        return id.isEmpty ? nil : String(id)
    }
}
