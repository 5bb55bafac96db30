import Accounts
import Foundation

/// Key management over HTTP: a caller manages its own account's keys; an admin key manages any.
extension APIHandlers {
    func createKey(_ input: Operations.CreateKey.Input) async throws -> Operations.CreateKey.Output {
        let caller = try Self.principal()
        guard case .json(let body) = input.body else { throw APIError.invalidRequest("Send a JSON body.") }
        let tier = try Self.tier(body.tier)
        let account = body.account ?? caller.account
        let admin = body.admin ?? false
        if !caller.isAdmin {
            guard account == caller.account else {
                throw APIError(.forbidden, message: "Only an admin key creates keys for other accounts.")
            }
            guard !admin else { throw APIError(.forbidden, message: "Only an admin key creates admin keys.") }
            guard Self.rank(tier) <= Self.rank(caller.tier) else {
                throw APIError(.forbidden, message: "A \(caller.tier.rawValue) key cannot create \(tier.rawValue) keys.")
            }
        }
        let created = try await dependencies.keys.create(account: account, tier: tier, isAdmin: admin, name: body.name)
        return .created(.init(body: .json(Self.createdKey(created, oldExpiresAt: nil))))
    }

    func listKeys(_ input: Operations.ListKeys.Input) async throws -> Operations.ListKeys.Output {
        let caller = try Self.principal()
        let records = try await dependencies.keys.list(account: caller.account)
        return .ok(.init(body: .json(.init(keys: records.map(KeyInfo.init)))))
    }

    func revokeKey(_ input: Operations.RevokeKey.Input) async throws -> Operations.RevokeKey.Output {
        let record = try await ownedKey(input.path.id)
        try await dependencies.keys.revoke(id: record.id)
        await dependencies.revocations.publish(keyID: record.id)
        return .noContent(.init())
    }

    func rotateKey(_ input: Operations.RotateKey.Input) async throws -> Operations.RotateKey.Output {
        let record = try await ownedKey(input.path.id)
        guard record.isActive() else { throw APIError.notFound("There is no active key \(record.id).") }
        var grace = dependencies.rotationGrace
        if case .json(let body) = input.body, let seconds = body.graceSeconds {
            guard (0...604_800).contains(seconds) else {
                throw APIError.invalidRequest("grace_seconds must be from 0 to 604800.", details: ["field": "grace_seconds"])
            }
            grace = .seconds(seconds)
        }
        let (created, oldExpiresAt) = try await dependencies.keys.rotate(id: record.id, grace: grace)
        await dependencies.revocations.publish(keyID: record.id)
        return .created(.init(body: .json(Self.createdKey(created, oldExpiresAt: oldExpiresAt))))
    }

    /// The key with this id if the caller may manage it; 404 otherwise, so ids of other accounts stay unknown.
    private func ownedKey(_ id: String) async throws -> KeyRecord {
        let caller = try Self.principal()
        guard let record = try await dependencies.keys.find(id: id), caller.isAdmin || record.accountID == caller.accountID else {
            throw APIError.notFound("There is no key \(id).")
        }
        return record
    }

    static func principal() throws -> Principal {
        guard let principal = RequestScope.current?.principal else {
            throw APIError(.unauthorized, message: "An API key is required.")
        }
        return principal
    }

    private static func tier(_ tier: Components.Schemas.Tier) throws -> Tier {
        guard let value = Tier(rawValue: tier.rawValue) else { throw APIError.invalidRequest("Unknown tier \(tier.rawValue).") }
        return value
    }

    private static func rank(_ tier: Tier) -> Int {
        switch tier {
        case .free: 0
        case .pro: 1
        case .enterprise: 2
        }
    }

    private static func createdKey(_ created: CreatedKey, oldExpiresAt: Date?) -> Components.Schemas.CreatedKey {
        let record = created.record
        return .init(
            id: record.id, key: created.secret, prefix: record.prefix, name: record.name, account: record.account,
            tier: .init(rawValue: record.tier.rawValue)!, admin: record.isAdmin, createdAt: record.createdAt,
            oldKeyExpiresAt: oldExpiresAt)
    }

}
