import PostgresNIO
import Redis
import _ConnectionPoolModule

/// Errors of Redis and PostgreSQL that mean the store is out of reach or out of service, as a 503: the
/// one kind of failure the contract answers with 5xx besides a bug. Anything else a store says (a
/// constraint, a type, a script error) is the service's own mistake and stays a 500.
enum StoreOutage {
    static func apiError(for error: any Error) -> APIError? {
        if let redis = error as? RedisError, isOutage(redis) {
            return .unavailable("Redis, which this request needs, is unavailable; try again shortly.", retryAfter: 1)
        }
        if (error as? PSQLError).map(isOutage) == true
            || error as? ConnectionPoolError == .connectionCreationCircuitBreakerTripped
            || error as? ConnectionPoolError == .poolShutdown
        {
            // ConnectionPoolError: PostgresClient gave up connecting (the server is down or refuses), or is
            // shutting down.
            return .unavailable("PostgreSQL, which this request needs, is unavailable; try again shortly.", retryAfter: 1)
        }
        return nil
    }

    static func isOutage(_ error: RedisError) -> Bool {
        switch error {
        case .connectionFailed, .connectionLost, .timeout, .closed: true
        case .server(let message):
            // Replies of a server that cannot serve now: out of memory, loading its data, a replica cut
            // off or read-only, a cluster that is down or resharding, a script that holds the server.
            ["OOM", "LOADING", "MASTERDOWN", "READONLY", "CLUSTERDOWN", "TRYAGAIN", "BUSY"].contains {
                message.hasPrefix($0 + " ") || message == $0
            }
        }
    }

    static func isOutage(_ error: PSQLError) -> Bool {
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            return true
        case .server:
            // SQLSTATE classes 08 (connection exception), 53 (insufficient resources) and 57 (operator
            // intervention: shutdown, crash recovery, cancelled by the administrator).
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57")
        default:
            return false
        }
    }
}
