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
        throw APIError.notImplemented("Search")
    }

    func searchTracksGet(_ input: Operations.SearchTracksGet.Input) async throws -> Operations.SearchTracksGet.Output {
        throw APIError.notImplemented("Search")
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
