/// The descriptive tags a container carries (ID3, Vorbis comments, MP4 atoms), as FFmpeg exposes them.
public struct AudioMetadata: Codable, Sendable, Hashable {
    public var title: String?
    public var artist: String?
    public var album: String?
    public var genre: String?
    public var comment: String?

    public init(title: String? = nil, artist: String? = nil, album: String? = nil, genre: String? = nil, comment: String? = nil) {
        self.title = title
        self.artist = artist
        self.album = album
        self.genre = genre
        self.comment = comment
    }

    /// Longest value kept: tags are free text from the file.
    static let maxLength = 300

    var isEmpty: Bool { [title, artist, album, genre, comment].allSatisfy { $0 == nil } }
}
