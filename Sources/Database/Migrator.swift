import Logging
import PostgresNIO

/// Applies ``Migration``s: each in its own transaction, recorded in `schema_migrations`.
///
/// Safe to run twice and from several instances at once: a session advisory lock serialises runners,
/// and each one reads what is applied only after it holds the lock.
public struct Migrator: Sendable {
    /// Arbitrary but fixed: every MusicForge instance takes the same lock.
    static let advisoryLockKey: Int64 = 0x6D75_7369_6366_6F72  // "musicfor"

    let database: Database
    let migrations: [Migration]

    public init(database: Database, migrations: [Migration] = Migration.all) {
        self.database = database
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Applies what is missing and returns the versions it applied (empty when up to date).
    @discardableResult
    public func migrate() async throws -> [Int] {
        let logger = database.logger
        let migrations = self.migrations
        return try await database.client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            do {
                let applied = try await Self.apply(migrations, on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                throw error
            }
        }
    }

    /// Versions recorded as applied.
    public func appliedVersions() async throws -> [Int] {
        let logger = database.logger
        return try await database.client.withConnection { connection in
            try await Self.ensureTable(on: connection, logger: logger)
            return try await Self.appliedVersions(on: connection, logger: logger)
        }
    }

    private static func apply(_ migrations: [Migration], on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await ensureTable(on: connection, logger: logger)
        let done = Set(try await appliedVersions(on: connection, logger: logger))
        var applied: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            try await connection.query("BEGIN", logger: logger)
            do {
                for statement in SQLScript.statements(in: migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw MigrationError(version: migration.version, name: migration.name, underlying: String(reflecting: error))
            }
            applied.append(migration.version)
        }
        return applied
    }

    private static func ensureTable(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """,
            logger: logger)
    }

    private static func appliedVersions(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        var versions: [Int] = []
        let rows = try await connection.query("SELECT version FROM schema_migrations ORDER BY version", logger: logger)
        for try await version in rows.decode(Int.self) { versions.append(version) }
        return versions
    }
}

/// A migration that failed; nothing of it was applied.
public struct MigrationError: Error, CustomStringConvertible {
    public var version: Int
    public var name: String
    public var underlying: String

    public var description: String {
        "Migration \(version) (\(name)) failed and was rolled back: \(underlying)"
    }
}
