import Database
import Foundation
import Logging
import PostgresNIO

/// What is stored about a key: never the secret.
public struct KeyRecord: Sendable, Equatable {
    public var id: String
    public var accountID: Int64
    public var account: String
    public var prefix: String
    public var tier: Tier
    public var isAdmin: Bool
    public var name: String?
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?
    public var expiresAt: Date?

    /// Usable now: neither revoked nor past its expiry.
    public func isActive(at now: Date = Date()) -> Bool {
        revokedAt == nil && (expiresAt.map { $0 > now } ?? true)
    }
}

/// A key just made: the secret is here once and nowhere else.
public struct CreatedKey: Sendable {
    public var record: KeyRecord
    public var secret: String
}

public enum KeyStoreError: Error, Equatable, CustomStringConvertible {
    case notFound(id: String)
    case invalidAccountName(String)
    case invalidName

    public var description: String {
        switch self {
        case .notFound(let id): "No API key has the id \(id)."
        case .invalidAccountName(let name):
            "The account name \"\(name)\" is not valid: use 1 to 64 letters, digits, dots, dashes or underscores."
        case .invalidName: "A key's name is at most \(KeyStore.maximumNameLength) characters, none of them control characters."
        }
    }
}

/// API keys and accounts in PostgreSQL. Keys are stored as SHA-256 hashes only.
public struct KeyStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Creates the account if it is new, and a key for it.
    public func create(account: String, tier: Tier, isAdmin: Bool = false, name: String? = nil, secret: String? = nil)
        async throws -> CreatedKey
    {
        guard Self.isValidAccountName(account) else { throw KeyStoreError.invalidAccountName(account) }
        if let name { guard Self.isValidName(name) else { throw KeyStoreError.invalidName } }
        let secret = secret ?? APIKeyFormat.generate()
        let id = APIKeyFormat.generateID()
        let hash = APIKeyFormat.hash(secret)
        let prefix = APIKeyFormat.displayPrefix(secret)
        let rows = try await database.client.query(
            """
            WITH account AS (
                INSERT INTO accounts (name) VALUES (\(account))
                ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
                RETURNING id
            )
            INSERT INTO api_keys (id, account_id, hash, prefix, tier, is_admin, name)
            SELECT \(id), account.id, \(ByteBuffer(bytes: hash)), \(prefix), \(tier.rawValue), \(isAdmin), \(name) FROM account
            RETURNING account_id, created_at
            """,
            logger: database.logger
        )
        var createdAt = Date()
        var accountID: Int64 = 0
        for try await (account, date) in rows.decode((Int64, Date).self) { (accountID, createdAt) = (account, date) }
        let record = KeyRecord(
            id: id, accountID: accountID, account: account, prefix: prefix, tier: tier, isAdmin: isAdmin, name: name,
            createdAt: createdAt)
        return CreatedKey(record: record, secret: secret)
    }

    /// Keys, newest first; of one account, or of all when `account` is nil.
    public func list(account: String? = nil) async throws -> [KeyRecord] {
        let rows = try await database.client.query(
            """
            \(unescaped: Self.selectKeys)
            WHERE \(account)::text IS NULL OR a.name = \(account)
            ORDER BY k.created_at DESC, k.id
            """,
            logger: database.logger
        )
        return try await Self.records(rows)
    }

    /// The key with this secret, if one is stored (active or not).
    public func find(secret: String) async throws -> KeyRecord? {
        let rows = try await database.client.query(
            """
            \(unescaped: Self.selectKeys)
            WHERE k.hash = \(ByteBuffer(bytes: APIKeyFormat.hash(secret)))
            """,
            logger: database.logger
        )
        return try await Self.records(rows).first
    }

    /// Revokes a key at once; revoking twice keeps the first time.
    @discardableResult
    public func revoke(id: String) async throws -> KeyRecord {
        let rows = try await database.client.query(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = \(id) RETURNING id",
            logger: database.logger
        )
        var found = false
        for try await _ in rows { found = true }
        guard found, let record = try await find(id: id) else { throw KeyStoreError.notFound(id: id) }
        return record
    }

    /// The key with this id, if one is stored.
    public func find(id: String) async throws -> KeyRecord? {
        guard id.fitsPostgresText else { return nil }
        let rows = try await database.client.query(
            "\(unescaped: Self.selectKeys) WHERE k.id = \(id)", logger: database.logger)
        return try await Self.records(rows).first
    }

    private static let selectKeys = """
        SELECT k.id, a.id, a.name, k.prefix, k.tier, k.is_admin, k.name, k.created_at, k.last_used_at, k.revoked_at, k.expires_at
        FROM api_keys k JOIN accounts a ON a.id = k.account_id
        """

    /// Makes sure a key with this secret exists (the bootstrap admin key): created once, never duplicated.
    @discardableResult
    public func ensure(secret: String, account: String, tier: Tier, isAdmin: Bool, name: String?) async throws -> KeyRecord {
        if let existing = try await find(secret: secret) { return existing }
        do {
            return try await create(account: account, tier: tier, isAdmin: isAdmin, name: name, secret: secret).record
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            // Another instance created it at the same moment.
            guard let existing = try await find(secret: secret) else { throw error }
            return existing
        }
    }

    /// A new key for the same account, tier and role; the old one keeps working until `grace` has passed.
    public func rotate(id: String, grace: Duration) async throws -> (created: CreatedKey, oldExpiresAt: Date) {
        guard let old = try await find(id: id), old.isActive() else { throw KeyStoreError.notFound(id: id) }
        let created = try await create(account: old.account, tier: old.tier, isAdmin: old.isAdmin, name: old.name)
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        let rows = try await database.client.query(
            """
            UPDATE api_keys SET expires_at = LEAST(COALESCE(expires_at, 'infinity'), now() + make_interval(secs => \(seconds)))
            WHERE id = \(id) RETURNING expires_at
            """,
            logger: database.logger)
        var expiresAt = Date().addingTimeInterval(seconds)
        for try await date in rows.decode(Date.self) { expiresAt = date }
        return (created, expiresAt)
    }

    /// A key's name is for people: at most this many code points (openapi.yaml's `maxLength`).
    public static let maximumNameLength = 200

    /// No control characters (C0 and DEL, as openapi.yaml's pattern says; PostgreSQL's text cannot hold NUL).
    static func isValidName(_ name: String) -> Bool {
        name.unicodeScalars.count <= maximumNameLength && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    static func isValidAccountName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }
            && name.allSatisfy(\.isASCII)
    }

    private static func records(_ rows: PostgresRowSequence) async throws -> [KeyRecord] {
        var records: [KeyRecord] = []
        for try await (id, accountID, account, prefix, tier, isAdmin, name, createdAt, lastUsedAt, revokedAt, expiresAt) in rows.decode(
            (String, Int64, String, String, String, Bool, String?, Date, Date?, Date?, Date?).self)
        {
            records.append(
                KeyRecord(
                    id: id, accountID: accountID, account: account, prefix: prefix, tier: Tier(rawValue: tier) ?? .free, isAdmin: isAdmin,
                    name: name, createdAt: createdAt, lastUsedAt: lastUsedAt, revokedAt: revokedAt, expiresAt: expiresAt))
        }
        return records
    }
}
