import Logging

/// What the HTTP layer needs, built once at start and passed down: no globals.
public struct AppDependencies: Sendable {
    public var configuration: AppConfiguration
    public var database: Database
    public var redis: RedisClient
    public var keys: KeyStore
    public var metrics: HTTPMetrics

    public init(configuration: AppConfiguration, database: Database, redis: RedisClient, metrics: HTTPMetrics) {
        self.configuration = configuration
        self.database = database
        self.redis = redis
        self.keys = KeyStore(database: database)
        self.metrics = metrics
    }
}
