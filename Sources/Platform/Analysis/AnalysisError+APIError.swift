import AnalysisWorkers
import AudioAnalysis

extension APIError {
    /// How an analysis failure reaches a client: a full pool is 503 with `Retry-After`; input that
    /// cannot be decoded is the client's (415 for what is not audio, 413 for too large, 422 for damaged
    /// audio or audio that crashed or outlasted a worker).
    public init(_ error: AnalysisError) {
        switch error {
        case .queueFull(let seconds):
            self = .unavailable(error.description, details: ["reason": .string("analysis_queue_full")], retryAfter: seconds)
        case .unavailable:
            self = .unavailable(error.description, retryAfter: 5)
        case .decoding(let code, let message):
            switch code {
            case "UNSUPPORTED_MEDIA", "EMPTY_INPUT":
                self = APIError(.unsupportedMediaType, message: message, details: ["reason": .string(code.lowercased())])
            case "PAYLOAD_TOO_LARGE": self = APIError(.contentTooLarge, message: message)
            default: self = APIError(.unprocessableContent, message: message, details: ["reason": .string(code.lowercased())])
            }
        case .workerCrashed, .timedOut:
            self = APIError(.unprocessableContent, message: error.description, details: ["reason": .string(error.code.lowercased())])
        }
    }
}
