/// Why an input could not be decoded, in the decoder's own words. Callers map these to their own
/// errors (the server to 415/413/504, the CLI to one line per input).
public enum DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input has no bytes.
    case empty
    /// The file could not be opened or read.
    case unreadable(String)
    /// No demuxer recognised the bytes: not audio, or a format we do not read.
    case unrecognisedFormat
    /// A container without an audio stream (an image, a video with no sound).
    case noAudioStream
    /// An audio stream whose codec has no decoder here.
    case unsupportedCodec(String)
    /// Header values no real file has (channel count, sample rate).
    case invalidParameters(String)
    /// The stream broke off or is damaged so that no audio came out of it.
    case corrupt(String)
    /// More bytes than `DecodingLimits.maxBytes`.
    case tooLarge(limit: Int)
    /// Decoding took longer than `DecodingLimits.maxWallSeconds`.
    case timedOut(seconds: Double)

    /// A stable machine-readable code.
    public var code: String {
        switch self {
        case .empty: "EMPTY_INPUT"
        case .unreadable: "UNREADABLE"
        case .unrecognisedFormat, .noAudioStream, .unsupportedCodec: "UNSUPPORTED_MEDIA"
        case .invalidParameters, .corrupt: "INVALID_AUDIO"
        case .tooLarge: "PAYLOAD_TOO_LARGE"
        case .timedOut: "TIMEOUT"
        }
    }

    public var description: String {
        switch self {
        case .empty: "The input is empty."
        case .unreadable(let reason): "The input could not be read: \(reason)."
        case .unrecognisedFormat: "The input is not audio in a format this service reads."
        case .noAudioStream: "The input has no audio stream."
        case .unsupportedCodec(let name): "The audio codec \(name) is not supported."
        case .invalidParameters(let what): "The audio header is not valid: \(what)."
        case .corrupt(let what): "The audio is damaged: \(what)."
        case .tooLarge(let limit): "The input is larger than the limit of \(limit) bytes."
        case .timedOut(let seconds): "Decoding took longer than \(Int(seconds)) seconds."
        }
    }
}
