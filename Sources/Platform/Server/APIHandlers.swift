import AnalysisWorkers
import App
import AudioAnalysis
import Catalogs
import Foundation
import Logging
import OpenAPIRuntime

/// The one type implementing the generated `APIProtocol`: each operation of `openapi.yaml`.
///
/// Errors are thrown (as ``APIError`` or a module's own error) and rendered by ``ErrorMiddleware``.
struct APIHandlers: APIProtocol {
    let dependencies: AppDependencies
    let logger: Logger

    // MARK: Operations

    func liveness(_ input: Operations.Liveness.Input) async throws -> Operations.Liveness.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    func readiness(_ input: Operations.Readiness.Input) async throws -> Operations.Readiness.Output {
        guard !dependencies.drain.isDraining else {
            throw APIError.unavailable("The server is shutting down.", details: ["reason": "draining"], retryAfter: 5)
        }
        let database = dependencies.database
        let redis = dependencies.redis
        async let postgresUp = database.ping()
        async let redisUp = redis.ping()
        let (postgres, redisOK) = await (postgresUp, redisUp)
        guard postgres, redisOK else {
            let down = [postgres ? nil : "PostgreSQL", redisOK ? nil : "Redis"].compactMap { $0 }
            throw APIError.unavailable(
                "\(down.joined(separator: " and ")) \(down.count == 1 ? "is" : "are") not reachable.",
                details: ["checks": ["postgres": postgres ? "ok" : "down", "redis": redisOK ? "ok" : "down"]],
                retryAfter: 5)
        }
        return .ok(.init(body: .json(.init(status: "ok", checks: .init(postgres: "ok", redis: "ok")))))
    }

    func metrics(_ input: Operations.Metrics.Input) async throws -> Operations.Metrics.Output {
        .ok(.init(body: .plainText(HTTPBody(dependencies.metrics.render()))))
    }

    func openapiDocument(_ input: Operations.OpenapiDocument.Input) async throws -> Operations.OpenapiDocument.Output {
        .ok(.init(body: .yaml(HTTPBody(PackageResources.openapi_document_yaml))))
    }

    // MARK: Search, parsing, audio

    func searchTracks(_ input: Operations.SearchTracks.Input) async throws -> Operations.SearchTracks.Output {
        guard case .json(let request) = input.body else { throw APIError.invalidRequest("The body must be JSON.") }
        let sources = request.sources.map { Set($0.compactMap { CatalogSource(rawValue: $0.rawValue) }) }
        let response = try await dependencies.search.search(
            query: request.query, limit: request.limit, sources: sources, deadlineMS: request.deadlineMs)
        return .ok(.init(body: .json(response)))
    }

    func searchTracksGet(_ input: Operations.SearchTracksGet.Input) async throws -> Operations.SearchTracksGet.Output {
        var sources: Set<CatalogSource>?
        if let text = input.query.sources {
            guard let parsed = AppConfiguration.sources(inQuery: text) else {
                throw APIError.invalidRequest(
                    "`sources` is a comma-separated list of local, jamendo, youtube, openverse.", details: ["field": "sources"])
            }
            sources = parsed
        }
        let response = try await dependencies.search.search(
            query: input.query.q, limit: input.query.limit, sources: sources, deadlineMS: input.query.deadlineMs)
        return .ok(.init(body: .json(response)))
    }

    /// The generated form of `POST /v1/parse`. The server registers ``ParseRoute`` in its place (see
    /// ``ApplicationBuilder``); this stays as the protocol's implementation, with the same behaviour.
    func parseQuery(_ input: Operations.ParseQuery.Input) async throws -> Operations.ParseQuery.Output {
        guard case .json(let request) = input.body else { throw APIError.invalidRequest("The body must be JSON.") }
        return .ok(.init(body: .json(try await dependencies.parser.parse(request.query))))
    }

    /// Uploads and downloads are capped at this many bytes (openapi.yaml: 50 MB).
    static let maxAudioBytes = 50 * 1024 * 1024

    func analyzeAudio(_ input: Operations.AnalyzeAudio.Input) async throws -> Operations.AnalyzeAudio.Output {
        let bytes: [UInt8]
        switch input.body {
        case .json(let request):
            try Self.checkAudioURL(request.url)
            bytes = try await dependencies.search.pipeline.analyzer.downloader.download(request.url)
        case .multipartForm(let form):
            var file: [UInt8]?
            try await Self.readingMultipart(form) { part in
                switch part {
                case .file(let upload): file = try await Self.collect(upload.payload.body)
                }
            }
            guard let file else { throw APIError.invalidRequest("The upload has no `file` part.", details: ["field": "file"]) }
            bytes = file
        }
        do {
            let report = try await dependencies.analysis.analyze(bytes: bytes)
            guard let analysis = report.analysis else { throw APIError(.internalServerError, message: "The analysis came back empty.") }
            return .ok(.init(body: .json(analysis)))
        } catch let error as AnalysisError {
            throw APIError(error)
        }
    }

    func findSimilar(_ input: Operations.FindSimilar.Input) async throws -> Operations.FindSimilar.Output {
        var trackID: String?
        var url: String?
        var upload: [UInt8]?
        var limit: Int?
        switch input.body {
        case .json(let request):
            (trackID, url, limit) = (request.trackID, request.url, request.limit)
            if let url { try Self.checkAudioURL(url) }
        case .multipartForm(let form):
            try await Self.readingMultipart(form) { part in
                switch part {
                case .file(let file): upload = try await Self.collect(file.payload.body)
                case .limit(let part):
                    let text = String(decoding: try await Self.collect(part.payload.body), as: UTF8.self)
                    guard let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                        throw APIError.invalidRequest("`limit` must be a whole number.", details: ["field": "limit"])
                    }
                    limit = value
                }
            }
        }
        let analysis = dependencies.analysis
        let downloader = dependencies.search.pipeline.analyzer.downloader
        let response = try await dependencies.search.similar(trackID: trackID, url: url, upload: upload, limit: limit) { url, bytes in
            var audio = bytes ?? []
            if let url { audio = try await downloader.download(url) }
            do {
                guard let result = try await analysis.analyze(bytes: audio).analysis else {
                    throw APIError(.internalServerError, message: "The analysis came back empty.")
                }
                return result
            } catch let error as AnalysisError {
                throw APIError(error)
            }
        }
        return .ok(.init(body: .json(response)))
    }

    /// Refuses with 400 a URL that openapi.yaml's `AudioURL` does not admit: http or https, then printable
    /// ASCII, at most 2048 characters. One that fits but cannot be used is the downloader's to refuse (422).
    static func checkAudioURL(_ url: String) throws {
        let scheme = url.prefix(8).lowercased()
        guard let schemeLength = scheme.hasPrefix("https://") ? 8 : scheme.hasPrefix("http://") ? 7 : nil else {
            throw APIError.invalidRequest("`url` must be an http or https URL.", details: ["field": "url"])
        }
        let rest = url.utf8.dropFirst(schemeLength)
        guard !rest.isEmpty, url.utf8.count <= 2048, rest.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw APIError.invalidRequest(
                "`url` must be an http or https URL of at most 2048 printable ASCII characters (percent-encode the rest).",
                details: ["field": "url"])
        }
    }

    /// Hands each part of a multipart request to `read`, in order: the runtime's own complaints (a
    /// missing or repeated part, one the contract does not name, a malformed body) become 400 instead of
    /// 500. The forms take their documented parts once each (`additionalProperties: false`), so a body of
    /// thousands of parts is refused at the first one too many.
    static func readingMultipart<Parts: AsyncSequence>(_ parts: Parts, _ read: (Parts.Element) async throws -> Void) async throws {
        do {
            for try await part in parts { try await read(part) }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.invalidRequest(
                "The multipart body is not valid, or it has no `file` part.", details: ["field": "file"])
        }
    }

    /// An uploaded part's bytes, up to the upload limit (413 beyond).
    static func collect(_ body: HTTPBody) async throws -> [UInt8] {
        var collected: [UInt8] = []
        for try await chunk in body {
            guard collected.count + chunk.count <= maxAudioBytes else {
                throw APIError(.contentTooLarge, message: "The upload is larger than the limit of 50 MB.")
            }
            collected.append(contentsOf: chunk)
        }
        return collected
    }

    func getTrack(_ input: Operations.GetTrack.Input) async throws -> Operations.GetTrack.Output {
        .ok(.init(body: .json(try await dependencies.search.track(id: input.path.id))))
    }

}
