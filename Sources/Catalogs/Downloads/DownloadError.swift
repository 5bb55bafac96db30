/// Why a download gave no bytes, in the downloader's own words.
public enum DownloadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not an http or https URL, or not a URL at all.
    case invalidURL(String)
    /// The URL points at a loopback, private, link-local or otherwise internal address.
    case forbiddenAddress(host: String)
    /// The host name does not resolve.
    case unresolvable(host: String)
    /// The server answered with an error status.
    case status(Int)
    /// More than the allowed number of redirects.
    case tooManyRedirects
    /// The body is larger than the cap.
    case tooLarge(limit: Int)
    /// No complete answer within the timeout.
    case timedOut
    /// The connection failed.
    case transport(String)
    /// The download program (yt-dlp) failed.
    case tool(String)

    /// A stable machine-readable code.
    public var code: String {
        switch self {
        case .invalidURL: "INVALID_REQUEST"
        case .forbiddenAddress: "URL_NOT_ALLOWED"
        case .tooLarge: "PAYLOAD_TOO_LARGE"
        case .unresolvable, .status, .tooManyRedirects, .timedOut, .transport, .tool: "UPSTREAM_ERROR"
        }
    }

    public var description: String {
        switch self {
        case .invalidURL(let url): "\(url) is not an http or https URL."
        case .forbiddenAddress(let host): "\(host) is a loopback, private or link-local address, which is not allowed."
        case .unresolvable(let host): "\(host) does not resolve."
        case .status(let code): "The server answered with status \(code)."
        case .tooManyRedirects: "The URL redirects too many times."
        case .tooLarge(let limit): "The download is larger than the limit of \(limit) bytes."
        case .timedOut: "The download did not finish in time."
        case .transport(let reason): "The download failed: \(reason)."
        case .tool(let reason): "yt-dlp failed: \(reason)."
        }
    }
}
