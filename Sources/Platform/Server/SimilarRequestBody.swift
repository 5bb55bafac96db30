/// The JSON body of `POST /v1/similar` (openapi.yaml's `SimilarRequest`), hand-written rather than
/// generated: the contract's "exactly one of `track_id` and `url`" is a `oneOf` that the generator would
/// turn into an enum of partial payloads. This reads the fields plainly (a `null` is a field left out);
/// the search service refuses any combination but exactly one.
public struct SimilarRequestBody: Codable, Hashable, Sendable {
    public var trackID: String?
    public var url: String?
    public var limit: Int?

    enum CodingKeys: String, CodingKey {
        case trackID = "track_id"
        case url, limit
    }

    public init(trackID: String? = nil, url: String? = nil, limit: Int? = nil) {
        self.trackID = trackID
        self.url = url
        self.limit = limit
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        trackID = try container.decodeIfPresent(String.self, forKey: .trackID)
        url = try container.decodeIfPresent(String.self, forKey: .url)
        limit = try container.decodeIfPresent(Int.self, forKey: .limit)
        if trackID?.isEmpty == true {
            throw DecodingError.dataCorruptedError(forKey: .trackID, in: container, debugDescription: "`track_id` must not be empty")
        }
    }
}
