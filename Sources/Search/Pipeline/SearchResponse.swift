import AudioAnalysis
import Catalogs
import Core

/// openapi.yaml's `SearchResponse`.
public struct SearchResponse: Sendable, Codable, Hashable {
    public var searchID: String
    public var query: String
    public var filters: Filters
    public var results: [Item]
    public var sources: [CatalogSearch.Outcome]
    /// Milliseconds per stage: `parse`, `catalogs`, `analyze`, `rank`, `total`.
    public var timingMS: [String: Double]
    /// True when the whole answer came from the response cache.
    public var cached: Bool

    enum CodingKeys: String, CodingKey {
        case query, filters, results, sources, cached
        case searchID = "search_id"
        case timingMS = "timing_ms"
    }

    public struct Item: Sendable, Codable, Hashable {
        public var rank: Int
        public var score: Double
        public var track: Track
        /// Absent while `status` is `pending`.
        public var analysis: Analysis?
        public var distance: Distance
        public var explanation: String
        /// `pending`: the analysis did not finish before the deadline; it goes on, and a later search
        /// will have it.
        public var status: Status

        public enum Status: String, Sendable, Codable, Hashable { case analysed, pending }

        public var pending: Bool { status == .pending }
    }

    /// A track as clients see it: no stream URL of YouTube ever.
    public struct Track: Sendable, Codable, Hashable {
        public var id: String
        public var source: CatalogSource
        public var externalID: String
        public var title: String
        public var artist: String?
        public var durationSeconds: Double?
        public var url: String?
        public var audioURL: String?
        public var license: String?
        public var tags: [String]

        public init(_ candidate: Candidate, analysis: Analysis?) {
            id = candidate.id
            source = candidate.source
            externalID = candidate.externalID
            title = candidate.title
            artist = candidate.artist
            durationSeconds = analysis?.durationSeconds ?? candidate.durationSeconds
            url = candidate.pageURL
            audioURL = candidate.audio.publicURL
            license = candidate.license
            tags = candidate.tags
        }

        enum CodingKeys: String, CodingKey {
            case id, source, title, artist, url, license, tags
            case externalID = "external_id"
            case durationSeconds = "duration_seconds"
            case audioURL = "audio_url"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(source, forKey: .source)
            try container.encode(externalID, forKey: .externalID)
            try container.encode(title, forKey: .title)
            try container.encode(artist ?? "", forKey: .artist)
            try container.encode(durationSeconds, forKey: .durationSeconds)
            try container.encode(url, forKey: .url)
            try container.encode(audioURL, forKey: .audioURL)
            try container.encode(license, forKey: .license)
            try container.encode(tags, forKey: .tags)
        }
    }
}

/// A track with its analysis (`GET /v1/tracks/{id}`).
public struct TrackDetail: Sendable, Codable, Hashable {
    public var track: SearchResponse.Track
    /// With the waveform peaks.
    public var analysis: Analysis

    public init(track: SearchResponse.Track, analysis: Analysis) {
        self.track = track
        self.analysis = analysis
    }
}

/// Tracks close to a reference track (`POST /v1/similar`).
public struct SimilarResponse: Sendable, Codable, Hashable {
    public struct QueryTrack: Sendable, Codable, Hashable {
        /// Present when the reference is a catalogue track.
        public var track: SearchResponse.Track?
        public var analysis: Analysis

        public init(track: SearchResponse.Track?, analysis: Analysis) {
            self.track = track
            self.analysis = analysis
        }
    }

    public var queryTrack: QueryTrack
    public var results: [SearchResponse.Item]
    public var timingMS: [String: Double]

    public init(queryTrack: QueryTrack, results: [SearchResponse.Item], timingMS: [String: Double]) {
        self.queryTrack = queryTrack
        self.results = results
        self.timingMS = timingMS
    }

    enum CodingKeys: String, CodingKey {
        case results
        case queryTrack = "query_track"
        case timingMS = "timing_ms"
    }
}
