import Database
import Foundation
import Redis

/// `DATABASE_URL` (`postgres://user:password@host:port/database?sslmode=…`) read into settings.
extension DatabaseSettings {
    /// Parses a `postgres://` or `postgresql://` URL; `name` is the setting it came from, for the error.
    public init(url string: String, name: String = "DATABASE_URL") throws(ConfigurationError) {
        let expected = "a URL like postgres://user:password@127.0.0.1:5432/musicforge"
        guard let components = URLComponents(string: string),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme),
            let host = components.host, !host.isEmpty
        else { throw .malformed(name: name, value: string, expected: expected) }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw .malformed(name: name, value: string, expected: expected + " (the database name is missing)")
        }
        var tls = TLSMode.prefer
        if let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
            switch mode {
            case "disable", "allow": tls = .disable
            case "prefer": tls = .prefer
            case "require", "verify-ca", "verify-full": tls = .require
            default: throw .malformed(name: name, value: string, expected: "sslmode to be disable, prefer or require")
            }
        } else if ["127.0.0.1", "localhost", "::1"].contains(host) {
            tls = .disable
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw .malformed(name: name, value: string, expected: expected)
        }
        self.init(
            host: host,
            port: components.port ?? 5432,
            username: components.percentEncodedUser?.removingPercentEncoding ?? "postgres",
            password: components.percentEncodedPassword?.removingPercentEncoding,
            database: database,
            tls: tls
        )
    }
}

/// `REDIS_URL` (`redis://[user:password@]host[:port][/db]`) read into settings.
extension RedisSettings {
    public init(url string: String, name: String = "REDIS_URL") throws(ConfigurationError) {
        let expected = "a URL like redis://127.0.0.1:6379/0"
        guard let components = URLComponents(string: string), components.scheme == "redis",
            let host = components.host, !host.isEmpty
        else { throw .malformed(name: name, value: string, expected: expected) }
        let path = components.path.drop(while: { $0 == "/" })
        var database = 0
        if !path.isEmpty {
            guard let number = Int(path), (0...15).contains(number) else {
                throw .malformed(name: name, value: string, expected: expected + " (the database is a number 0-15)")
            }
            database = number
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw .malformed(name: name, value: string, expected: expected)
        }
        let user = components.percentEncodedUser?.removingPercentEncoding
        self.init(
            host: host,
            port: components.port ?? 6379,
            username: (user?.isEmpty ?? true) ? nil : user,
            password: components.percentEncodedPassword?.removingPercentEncoding,
            database: database
        )
    }
}
