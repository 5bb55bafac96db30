/// The catalogues MusicForge searches.
public enum CatalogSource: String, Sendable, Codable, Hashable, CaseIterable {
    case local, jamendo, youtube, openverse
}

/// Where a candidate's audio can be had.
public enum AudioLocation: Sendable, Hashable, Codable {
    /// An http(s) URL to download (through the address guard).
    case url(String)
    /// A YouTube video, fetched through `yt-dlp`; its stream URLs never reach clients.
    case youtube(videoID: String)
    /// A file of the local library.
    case file(path: String)
    /// The provider offers no audio for it (downloads not allowed).
    case unavailable

    /// The URL a client may see: direct downloads only.
    public var publicURL: String? {
        if case .url(let url) = self { return url }
        return nil
    }
}

/// A tempo range a provider states for a track (Jamendo's speed buckets), before we measure it.
public struct TempoHint: Sendable, Hashable, Codable {
    public var min: Double
    public var max: Double

    public init(min: Double, max: Double) {
        self.min = min
        self.max = max
    }
}

/// One track a catalogue offers for a query.
public struct Candidate: Sendable, Hashable, Codable {
    public var source: CatalogSource
    /// The provider's own id; for the local library, the path relative to the library.
    public var externalID: String
    public var title: String
    public var artist: String?
    public var durationSeconds: Double?
    /// The track's page at the provider.
    public var pageURL: String?
    public var audio: AudioLocation
    /// A license URL or name.
    public var license: String?
    /// Lower-case tags: genres, moods, instruments the provider or the file names.
    public var tags: [String]
    public var tempoHint: TempoHint?

    public init(
        source: CatalogSource, externalID: String, title: String, artist: String? = nil, durationSeconds: Double? = nil,
        pageURL: String? = nil, audio: AudioLocation, license: String? = nil, tags: [String] = [], tempoHint: TempoHint? = nil
    ) {
        self.source = source
        self.externalID = externalID
        self.title = title
        self.artist = artist
        self.durationSeconds = durationSeconds
        self.pageURL = pageURL
        self.audio = audio
        self.license = license
        self.tags = tags
        self.tempoHint = tempoHint
    }

    /// Stable across searches: `source:external_id`.
    public var id: String { "\(source.rawValue):\(externalID)" }
}
