import Catalogs
import Hummingbird
import QueryParsing
import Search

/// Answers `GET /v1/search` from the response cache with the stored JSON as it is, before the
/// generated handler would decode and encode it again. Behind authentication and the rate limit, so a
/// cached answer is still authenticated, limited and billed (as a cache hit). Anything it cannot
/// answer goes on to the handler, which also validates.
struct SearchCacheMiddleware<Context: RequestContext>: RouterMiddleware {
    let search: SearchService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, request.uri.path == "/v1/search" else { return try await next(request, context) }
        let parameters = request.uri.queryParameters
        guard let query = parameters["q"].map(String.init), (try? QueryParser.validate(query)) != nil else {
            return try await next(request, context)
        }
        let limit = parameters["limit"].map { Int(String($0)) } ?? 20
        var sources = search.defaultSources
        if let text = parameters["sources"] {
            guard let parsed = AppConfiguration.sources(parsing: String(text)) else { return try await next(request, context) }
            sources = parsed
        }
        // A deadline the handler would refuse is refused there, cached answer or not.
        if let text = parameters["deadline_ms"] {
            guard let deadline = Int(String(text)), SearchService.deadlineLimits.contains(deadline) else {
                return try await next(request, context)
            }
        }
        guard let limit, (1...SearchPipeline.maxLimit).contains(limit),
            let body = await search.cachedAnswer(forKey: search.cacheKey(query: query, limit: limit, sources: sources))
        else { return try await next(request, context) }
        RequestScope.current?.cacheHit = true
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: body))
    }
}
