import Core

/// A music catalogue: filters in, candidates out, within a deadline.
///
/// Implementations: ``YouTubeProvider``, ``JamendoProvider``, ``OpenverseProvider``, ``LocalLibraryProvider``.
public protocol CatalogProvider: Sendable {
    var source: CatalogSource { get }
    /// Up to `limit` candidates for `filters`, or why none.
    func search(_ filters: Filters, limit: Int, deadline: ContinuousClock.Instant) async throws(CatalogError) -> [Candidate]
}

/// Why a catalogue gave no candidates. Other catalogues still answer.
public enum CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key or client id was refused.
    case invalidCredentials(String)
    /// The daily quota is spent (YouTube).
    case quotaExceeded(String)
    /// Too many requests; try later.
    case rateLimited(String)
    /// The provider answered with an error.
    case upstream(status: Int, message: String)
    /// The answer was not in the documented shape.
    case malformed(String)
    /// No answer before the search's deadline.
    case timeout
    /// The provider could not be reached.
    case unreachable(String)
    /// A configured address is not allowed (private or loopback without `MUSICFORGE_ALLOW_PRIVATE_URLS`).
    case addressNotAllowed(String)

    /// A stable code for the `sources` list of a search result.
    public var code: String {
        switch self {
        case .invalidCredentials: "INVALID_CREDENTIALS"
        case .quotaExceeded: "QUOTA_EXCEEDED"
        case .rateLimited: "RATE_LIMITED"
        case .upstream: "UPSTREAM_ERROR"
        case .malformed: "MALFORMED_RESPONSE"
        case .timeout: "TIMEOUT"
        case .unreachable: "UNREACHABLE"
        case .addressNotAllowed: "ADDRESS_NOT_ALLOWED"
        }
    }

    public var description: String {
        switch self {
        case .invalidCredentials(let message): "The provider refused the credentials: \(message)"
        case .quotaExceeded(let message): "The provider's daily quota is spent: \(message)"
        case .rateLimited(let message): "The provider is rate limiting: \(message)"
        case .upstream(let status, let message): "The provider answered \(status)\(message.isEmpty ? "" : ": \(message)")"
        case .malformed(let message): "The provider's answer was malformed: \(message)"
        case .timeout: "The provider did not answer before the deadline"
        case .unreachable(let message): "The provider could not be reached: \(message)"
        case .addressNotAllowed(let message): "The provider's address is not allowed: \(message)"
        }
    }
}

/// What a search asks of catalogues, read from the filters: the words to send as text and tags.
public struct CatalogTerms: Sendable, Equatable {
    public var genres: [String]
    public var moods: [String]
    public var instruments: [String]
    public var keywords: [String]

    public init(_ filters: Filters) {
        genres = filters.genres
        moods = filters.moods
        instruments = filters.instruments
        keywords = filters.keywords
    }

    /// All terms, genres first, as one free-text query.
    public var text: String { (genres + moods + keywords + instruments).joined(separator: " ") }
    public var isEmpty: Bool { genres.isEmpty && moods.isEmpty && instruments.isEmpty && keywords.isEmpty }
}
