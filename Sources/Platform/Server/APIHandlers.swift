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

    // MARK: Filled in by later versions

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
            guard let parsed = AppConfiguration.sources(parsing: text) else {
                throw APIError.invalidRequest(
                    "`sources` is a comma-separated list of local, jamendo, youtube, openverse.", details: ["field": "sources"])
            }
            sources = parsed
        }
        let response = try await dependencies.search.search(
            query: input.query.q, limit: input.query.limit, sources: sources, deadlineMS: input.query.deadlineMs)
        return .ok(.init(body: .json(response)))
    }

    func parseQuery(_ input: Operations.ParseQuery.Input) async throws -> Operations.ParseQuery.Output {
        guard case .json(let request) = input.body else { throw APIError.invalidRequest("The body must be JSON.") }
        return .ok(.init(body: .json(try await dependencies.parser.parse(request.query))))
    }

    func analyzeAudio(_ input: Operations.AnalyzeAudio.Input) async throws -> Operations.AnalyzeAudio.Output {
        throw APIError.notImplemented("Audio analysis")
    }

    func findSimilar(_ input: Operations.FindSimilar.Input) async throws -> Operations.FindSimilar.Output {
        throw APIError.notImplemented("Similar tracks")
    }

    func getTrack(_ input: Operations.GetTrack.Input) async throws -> Operations.GetTrack.Output {
        throw APIError.notImplemented("Tracks")
    }

}
