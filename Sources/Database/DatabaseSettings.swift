/// Where PostgreSQL is: host, port, credentials, database and how TLS is used.
public struct DatabaseSettings: Sendable, Equatable {
    /// How TLS is used, after libpq's `sslmode` names (`disable`, `prefer`, `require`).
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String, tls: TLSMode = .disable) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// The same server with another database: tests and tools use it.
    public func with(database: String) -> DatabaseSettings {
        var copy = self
        copy.database = database
        return copy
    }
}
