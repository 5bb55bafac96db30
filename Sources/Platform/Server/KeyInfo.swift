import Accounts
import Foundation

/// A stored key as `GET /v1/keys` lists it (openapi.yaml's `KeyInfo`), hand-written rather than generated
/// so that its nullable fields are written as `null`: the contract requires them present, and the
/// generated coder leaves out whatever is nil.
public struct KeyInfo: Codable, Hashable, Sendable {
    public var id: String
    public var prefix: String
    public var name: String?
    public var account: String
    public var tier: String
    public var admin: Bool
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?
    public var expiresAt: Date?

    public init(_ record: KeyRecord) {
        id = record.id
        prefix = record.prefix
        name = record.name
        account = record.account
        tier = record.tier.rawValue
        admin = record.isAdmin
        createdAt = record.createdAt
        lastUsedAt = record.lastUsedAt
        revokedAt = record.revokedAt
        expiresAt = record.expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case id, prefix, name, account, tier, admin
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
        case expiresAt = "expires_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(prefix, forKey: .prefix)
        try container.encode(name, forKey: .name)
        try container.encode(account, forKey: .account)
        try container.encode(tier, forKey: .tier)
        try container.encode(admin, forKey: .admin)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
        try container.encode(revokedAt, forKey: .revokedAt)
        try container.encode(expiresAt, forKey: .expiresAt)
    }
}
