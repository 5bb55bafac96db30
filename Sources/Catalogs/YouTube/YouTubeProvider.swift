import Core
import Foundation

/// YouTube Data API v3: `search.list` (music videos for the query) and one batched `videos.list`
/// for durations, tags and licenses.
///
/// Quota is the bottleneck (10,000 units a day by default; a search costs 100): answers are cached,
/// 24 h by default, and units spent are counted by ``QuotaMeter``. Audio comes through ``YTDLPFetcher``.
public struct YouTubeProvider: CatalogProvider {
    public let source = CatalogSource.youtube
    public let apiKey: String
    public let baseURL: URL
    public let client: ProviderClient
    public let cacheTTL: Duration
    public let quota: QuotaMeter

    public init(
        apiKey: String, baseURL: URL, client: ProviderClient, cacheTTL: Duration = .seconds(86_400), quota: QuotaMeter = QuotaMeter()
    ) {
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.client = client
        self.cacheTTL = cacheTTL
        self.quota = quota
    }

    /// The search text: the terms, "instrumental" when asked, and YouTube's `-word` for exclusions.
    static func query(for filters: Filters) -> String {
        let terms = CatalogTerms(filters)
        var words = terms.isEmpty ? ["music"] : [terms.text]
        if filters.vocals == .instrumental { words.append("instrumental") }
        words += filters.exclude.map { "-\($0.replacingOccurrences(of: " ", with: "-"))" }
        return words.joined(separator: " ")
    }

    public func search(_ filters: Filters, limit: Int, deadline: ContinuousClock.Instant) async throws(CatalogError) -> [Candidate] {
        let wanted = max(1, min(limit, 50))
        let found = try await client.get(
            base: baseURL, path: "search",
            query: [
                ("part", "snippet"), ("type", "video"), ("videoCategoryId", "10"), ("q", Self.query(for: filters)),
                ("maxResults", String(wanted)),
            ],
            secrets: [("key", apiKey)], cacheTTL: cacheTTL, deadline: deadline)
        try Self.check(found)
        if !found.fromCache { quota.spend(100) }
        let items = (try ProviderJSON.object(found.body)["items"] as? [[String: Any]]) ?? []
        var order: [String] = []
        var snippets: [String: [String: Any]] = [:]
        for item in items {
            guard let id = (item["id"] as? [String: Any])?["videoId"] as? String, let snippet = item["snippet"] as? [String: Any]
            else { continue }
            if snippets[id] == nil { order.append(id) }
            snippets[id] = snippet
        }
        guard !order.isEmpty else { return [] }

        let details = try await client.get(
            base: baseURL, path: "videos",
            query: [("part", "snippet,contentDetails,statistics,status"), ("id", order.joined(separator: ",")), ("maxResults", "50")],
            secrets: [("key", apiKey)], cacheTTL: cacheTTL, deadline: deadline)
        try Self.check(details)
        if !details.fromCache { quota.spend(1) }
        var videos: [String: [String: Any]] = [:]
        for video in (try ProviderJSON.object(details.body)["items"] as? [[String: Any]]) ?? [] {
            if let id = video["id"] as? String { videos[id] = video }
        }

        return order.prefix(wanted).compactMap { id in
            let snippet = snippets[id] ?? [:]
            let video = videos[id]
            let title = HTMLEntities.decode(ProviderJSON.string(snippet["title"]) ?? "")
            guard !title.isEmpty else { return nil }
            let contentDetails = video?["contentDetails"] as? [String: Any]
            let status = video?["status"] as? [String: Any]
            let tags = ((video?["snippet"] as? [String: Any])?["tags"] as? [String]) ?? []
            return Candidate(
                source: .youtube, externalID: id, title: title,
                artist: ProviderJSON.string(snippet["channelTitle"]).map(HTMLEntities.decode),
                durationSeconds: (contentDetails?["duration"] as? String).flatMap(ISO8601Duration.seconds),
                pageURL: "https://www.youtube.com/watch?v=\(id)", audio: .youtube(videoID: id),
                license: (status?["license"] as? String) == "creativeCommon" ? "https://creativecommons.org/licenses/by/3.0/" : "youtube",
                tags: tags.prefix(20).map { $0.lowercased() })
        }
    }

    /// YouTube's error answers: `{"error": {"code", "message", "errors": [{"reason", …}]}}`.
    static func check(_ response: ProviderClient.Response) throws(CatalogError) {
        guard response.status != 200 else { return }
        let error = (try? ProviderJSON.object(response.body))?["error"] as? [String: Any]
        let message = ProviderJSON.string(error?["message"]).map { HTMLEntities.stripTags($0) } ?? ""
        let reasons = Set(((error?["errors"] as? [[String: Any]]) ?? []).compactMap { $0["reason"] as? String })
        let details = ((error?["details"] as? [[String: Any]]) ?? []).compactMap { $0["reason"] as? String }
        if !reasons.isDisjoint(with: ["quotaExceeded", "dailyLimitExceeded"]) { throw .quotaExceeded(message) }
        if !reasons.isDisjoint(with: ["keyInvalid", "keyExpired"]) || details.contains("API_KEY_INVALID")
            || message.contains("API key not valid") || response.status == 401
        {
            throw .invalidCredentials(message)
        }
        if response.status == 429 || !reasons.isDisjoint(with: ["rateLimitExceeded", "userRateLimitExceeded"]) {
            throw .rateLimited(message)
        }
        throw .upstream(status: response.status, message: message)
    }
}

/// The HTML character references YouTube puts in titles ("Rock &amp; Roll", "Don&#39;t").
enum HTMLEntities {
    private static let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " "]

    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "&", let semicolon = text[index...].prefix(10).firstIndex(of: ";") {
                let entity = text[text.index(after: index)..<semicolon]
                var replacement: String?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if entity.hasPrefix("#") {
                    replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else {
                    replacement = named[String(entity)]
                }
                if let replacement {
                    result += replacement
                    index = text.index(after: semicolon)
                    continue
                }
            }
            result.append(text[index])
            index = text.index(after: index)
        }
        return result
    }

    /// Error messages carry links ("exceeded your <a href=…>quota</a>"): the text only.
    static func stripTags(_ text: String) -> String {
        var result = ""
        var inTag = false
        for character in text {
            if character == "<" { inTag = true } else if character == ">" { inTag = false } else if !inTag { result.append(character) }
        }
        return decode(result)
    }
}
