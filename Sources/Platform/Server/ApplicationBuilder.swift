import Accounts
import AudioTagging
import Database
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime

/// Builds the HTTP application: the generated routes behind the middleware stack.
///
/// Order, outermost first: request id → access log and metrics → usage → error mapping → body size cap
/// → authentication → rate limit → search response cache → handlers. The id comes first so every later layer, and every
/// error body, carries it; usage sits outside error mapping so it records the final status of every
/// authenticated answer.
public enum ApplicationBuilder {
    public typealias Context = BasicRequestContext

    /// The router with every route of `openapi.yaml` and the middleware in front of them.
    public static func router(dependencies: AppDependencies, logger: Logger) throws -> Router<Context> {
        let api = APIHandlers(dependencies: dependencies, logger: logger)
        // Compact JSON: pretty printing costs bytes and time on every response.
        let configuration = Configuration(jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])
        let routes = try RouteTable { try api.registerHandlers(on: $0, configuration: configuration) }
        let router = Router(context: Context.self)
        // Middleware applies to routes added after it, so it goes first.
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: AccessLogMiddleware(logger: logger, metrics: dependencies.metrics, routes: routes))
        router.add(middleware: UsageMiddleware(recorder: dependencies.recorder, routes: routes))
        router.add(middleware: ErrorMiddleware(routes: routes, logger: logger))
        router.add(middleware: BodyLimitMiddleware())
        router.add(middleware: AuthMiddleware(verifier: dependencies.verifier))
        router.add(middleware: RateLimitMiddleware(limiter: dependencies.limiter))
        router.add(middleware: SearchCacheMiddleware(search: dependencies.search))
        // POST /v1/parse is served by hand (see ``ParseRoute``); the routes table above still lists it.
        // Should the contract move the route, the hand-written one must not outlive it.
        precondition(routes.routes.contains(ParseRoute.route), "openapi.yaml has no \(ParseRoute.route.template) for ParseRoute to serve")
        try api.registerHandlers(
            on: ExcludingTransport(base: EmptyBodyTransport(base: router), excluded: [ParseRoute.route]), configuration: configuration)
        let parse = ParseRoute(parser: dependencies.parser)
        router.on(RouterPath(ParseRoute.route.template), method: ParseRoute.route.method) { request, _ in
            try await parse.respond(to: request)
        }
        return router
    }

    /// The whole application: router, PostgreSQL and Redis services, migrations before the server starts.
    public static func application(dependencies: AppDependencies, logger: Logger) throws -> some ApplicationProtocol {
        let configuration = dependencies.configuration
        var app = Application(
            router: try router(dependencies: dependencies, logger: logger),
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(Int64(configuration.httpIdleTimeout / .nanoseconds(1))))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            services: [
                dependencies.database, dependencies.redis, dependencies.revocations,
                AnalysisPoolService(pool: dependencies.analysis),
                UsageDrain(
                    redis: dependencies.redis, store: dependencies.usage, stream: dependencies.recorder.stream,
                    recorder: dependencies.recorder, logger: logger),
            ],
            logger: logger
        )
        if let reason = AudioTagger.unavailability() {
            logger.warning("tags are off: analyses will have no tags or sound", metadata: ["reason": "\(reason)"])
        }
        let database = dependencies.database
        let keys = dependencies.keys
        let adminKey = configuration.adminKey
        app.beforeServerStarts {
            let applied = try await Migrator(database: database).migrate()
            if !applied.isEmpty { logger.info("migrated", metadata: ["versions": "\(applied)"]) }
            if let adminKey {
                let record = try await keys.ensure(
                    secret: adminKey, account: "admin", tier: .enterprise, isAdmin: true, name: "MUSICFORGE_ADMIN_KEY")
                logger.info("bootstrap admin key ready", metadata: ["key_id": "\(record.id)"])
            }
        }
        return app
    }
}
