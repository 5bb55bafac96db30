import Core
import Foundation

/// Jamendo API v3 `/tracks`: Creative Commons music with its own tags and a speed bucket per track.
///
/// Sends the genres, moods and instruments as `fuzzytags`, keywords as `search`, `speed` buckets
/// covering the BPM filter, `vocalinstrumental`, `include=musicinfo licenses` and `audioformat=mp32`.
/// Errors come in `headers` with HTTP 200: code 5 is an invalid client id, 6 a rate limit. Tracks whose
/// `audiodownload_allowed` is false are listed but never downloaded.
public struct JamendoProvider: CatalogProvider {
    public let source = CatalogSource.jamendo
    public let clientID: String
    public let baseURL: URL
    public let client: ProviderClient
    public let cacheTTL: Duration

    public init(clientID: String, baseURL: URL, client: ProviderClient, cacheTTL: Duration = .seconds(3_600)) {
        self.clientID = clientID
        self.baseURL = baseURL
        self.client = client
        self.cacheTTL = cacheTTL
    }

    /// Jamendo's speed buckets and the tempi we take each to mean (Jamendo documents none).
    static let speeds: [(name: String, bpm: ClosedRange<Double>)] = [
        ("verylow", 40...80), ("low", 80...100), ("medium", 100...120), ("high", 120...140), ("veryhigh", 140...250),
    ]

    /// The buckets that overlap the wanted tempo, its half and its double (a track may be tagged by
    /// either feel); nil when the filters want no tempo.
    public static func speedParameter(for bpm: NumericRange?) -> String? {
        guard let bpm, bpm.min != nil || bpm.max != nil else { return nil }
        let low = bpm.min ?? 40
        let high = bpm.max ?? 250
        let felt: ClosedRange<Double> = 70...180
        var ranges = [low...high]
        for (a, b) in [(low / 2, high / 2), (low * 2, high * 2)] where a <= felt.upperBound && b >= felt.lowerBound {
            ranges.append(max(a, felt.lowerBound)...min(b, felt.upperBound))
        }
        let names = speeds.filter { speed in ranges.contains { $0.overlaps(speed.bpm) } }.map(\.name)
        return names.isEmpty || names.count == speeds.count ? nil : names.joined(separator: "+")
    }

    public func search(_ filters: Filters, limit: Int, deadline: ContinuousClock.Instant) async throws(CatalogError) -> [Candidate] {
        let terms = CatalogTerms(filters)
        var query: [(String, String)] = [
            ("format", "json"), ("limit", String(max(1, min(limit, 200)))), ("include", "musicinfo licenses"),
            ("audioformat", "mp32"), ("order", "relevance"),
        ]
        let tags = (terms.genres + terms.moods + terms.instruments).map { $0.replacingOccurrences(of: " ", with: "") }
        if !tags.isEmpty { query.append(("fuzzytags", tags.joined(separator: "+"))) }
        if !terms.keywords.isEmpty { query.append(("search", terms.keywords.joined(separator: " "))) }
        if let speed = Self.speedParameter(for: filters.bpm) { query.append(("speed", speed)) }
        if let vocals = filters.vocals { query.append(("vocalinstrumental", vocals == .instrumental ? "instrumental" : "vocal")) }
        if let duration = filters.duration {
            let low = Int(duration.minSeconds ?? 0)
            let high = Int(duration.maxSeconds ?? 7_200)
            query.append(("durationbetween", "\(low)_\(high)"))
        }
        let response = try await client.get(
            base: baseURL, path: "tracks/", query: query, secrets: [("client_id", clientID)], cacheTTL: cacheTTL, deadline: deadline)
        guard response.status == 200 else {
            if response.status == 429 { throw .rateLimited("HTTP 429") }
            throw .upstream(status: response.status, message: "")
        }
        let body = try ProviderJSON.object(response.body)
        guard let headers = body["headers"] as? [String: Any] else { throw .malformed("no headers object") }
        let code = Int(ProviderJSON.number(headers["code"]) ?? 0)
        if code != 0 {
            let message = ProviderJSON.string(headers["error_message"]) ?? "code \(code)"
            switch code {
            case 5: throw .invalidCredentials(message)
            case 6: throw .rateLimited(message)
            default: throw .upstream(status: response.status, message: message)
            }
        }
        guard let results = body["results"] as? [[String: Any]] else { throw .malformed("no results list") }
        return results.compactMap(Self.candidate)
    }

    static func candidate(_ track: [String: Any]) -> Candidate? {
        guard let id = ProviderJSON.string(track["id"]), let title = ProviderJSON.string(track["name"]) else { return nil }
        let musicinfo = track["musicinfo"] as? [String: Any]
        let tagGroups = musicinfo?["tags"] as? [String: Any]
        var tags: [String] = []
        for group in ["genres", "instruments", "vartags"] {
            for tag in (tagGroups?[group] as? [String]) ?? [] where !tags.contains(tag.lowercased()) { tags.append(tag.lowercased()) }
        }
        if let vocals = ProviderJSON.string(musicinfo?["vocalinstrumental"]) { tags.append(vocals.lowercased()) }
        let speed = ProviderJSON.string(musicinfo?["speed"]).flatMap { name in speeds.first { $0.name == name } }
        let downloadable = ProviderJSON.bool(track["audiodownload_allowed"]) ?? false
        let audioURL = ProviderJSON.string(track["audiodownload"]) ?? ProviderJSON.string(track["audio"])
        return Candidate(
            source: .jamendo, externalID: id, title: title, artist: ProviderJSON.string(track["artist_name"]),
            durationSeconds: ProviderJSON.number(track["duration"]),
            pageURL: ProviderJSON.string(track["shareurl"]) ?? "https://www.jamendo.com/track/\(id)",
            audio: downloadable ? audioURL.map(AudioLocation.url) ?? .unavailable : .unavailable,
            license: ProviderJSON.string(track["license_ccurl"]), tags: tags,
            tempoHint: speed.map { TempoHint(min: $0.bpm.lowerBound, max: $0.bpm.upperBound) })
    }
}
