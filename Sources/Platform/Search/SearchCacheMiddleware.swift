import App
import Catalogs
import Hummingbird

/// Answers `GET /v1/search` from the response cache with the stored JSON as it is, before the
/// generated handler would decode and encode it again. Behind authentication and the rate limit, so a
/// cached answer is still authenticated, limited and billed (as a cache hit). Anything it cannot
/// answer goes on to the handler.
struct SearchCacheMiddleware<Context: RequestContext>: RouterMiddleware {
    let search: SearchService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, request.uri.path == "/v1/search" else { return try await next(request, context) }
        // The parameters are checked as the handler checks them (`SearchService.parameters`): anything it
        // would refuse, or that is not cached, goes on to it.
        let parameters = request.uri.queryParameters
        // Each is nil when absent, and .some(nil) when given but unreadable: the handler's to refuse.
        let limit = parameters["limit"].map { Int(String($0)) }
        let deadline = parameters["deadline_ms"].map { Int(String($0)) }
        let sources = parameters["sources"].map { AppConfiguration.sources(inQuery: $0) }
        guard let query = parameters["q"].map(String.init), limit != .some(nil), deadline != .some(nil), sources != .some(nil),
            let checked = try? search.parameters(
                query: query, limit: limit.flatMap { $0 }, sources: sources.flatMap { $0 }, deadlineMS: deadline.flatMap { $0 }),
            let body = await search.cachedAnswer(forKey: checked.cacheKey)
        else { return try await next(request, context) }
        RequestScope.current?.cacheHit = true
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: body))
    }
}
