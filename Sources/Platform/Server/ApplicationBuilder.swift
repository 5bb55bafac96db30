import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime

/// Builds the HTTP application: the generated routes behind the middleware stack.
///
/// Order, outermost first: request id → access log and metrics → error mapping → handlers.
/// The id comes first so every later layer, and every error body, carries it.
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
        router.add(middleware: ErrorMiddleware(routes: routes, logger: logger))
        try api.registerHandlers(on: router, configuration: configuration)
        return router
    }

    /// The whole application: router, PostgreSQL and Redis services, migrations before the server starts.
    public static func application(dependencies: AppDependencies, logger: Logger) throws -> some ApplicationProtocol {
        let configuration = dependencies.configuration
        var app = Application(
            router: try router(dependencies: dependencies, logger: logger),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            services: [dependencies.database, dependencies.redis],
            logger: logger
        )
        let database = dependencies.database
        app.beforeServerStarts {
            let applied = try await Migrator(database: database).migrate()
            if !applied.isEmpty { logger.info("migrated", metadata: ["versions": "\(applied)"]) }
        }
        return app
    }
}
