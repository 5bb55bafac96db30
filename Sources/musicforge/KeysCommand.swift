import Accounts
import ArgumentParser
import Database
import Foundation
import Logging
import Platform

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys (needs DATABASE_URL).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print it once on stdout; it is never shown again.")

        @Option(help: "The account the key belongs to (created if new).")
        var account: String

        @Option(help: "free, pro or enterprise.")
        var tier: Tier

        @Flag(help: "An admin key: manages any account and reads any usage.")
        var admin = false

        @Option(help: "A label to tell keys apart.")
        var name: String?

        func run() async throws {
            let created = try await withKeyStore { try await $0.create(account: account, tier: tier, isAdmin: admin, name: name) }
            print(created.secret)
            printError(
                "Created \(created.record.id) (\(created.record.prefix)…, \(tier.rawValue)\(admin ? ", admin" : "")) for \(account). Store the key now: it is not shown again."
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")

        @Option(help: "Only this account's keys.")
        var account: String?

        @Flag(help: "One JSON object per key per line.")
        var json = false

        func run() async throws {
            let records = try await withKeyStore { try await $0.list(account: account) }
            if json {
                for record in records { print(KeyRecordText.json(record)) }
            } else {
                print(KeyRecordText.table(records))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key at once.")

        @Argument(help: "The key's id (key_…), as `keys list` shows it.")
        var keyID: String

        func run() async throws {
            let record = try await withKeyStore { try await $0.revoke(id: keyID) }
            print("Revoked \(record.id) (\(record.prefix)…) of \(record.account).")
        }
    }
}

extension Tier: ExpressibleByArgument {}

/// Runs `body` with a key store on a running database pool; errors become one sentence (exit 1).
private func withKeyStore<T: Sendable>(_ body: @Sendable @escaping (KeyStore) async throws -> T) async throws -> T {
    let configuration = try loadConfiguration(requirements: .database)
    bootstrapLogging(level: max(configuration.logLevel, .warning), json: false)
    do {
        return try await Database.withRunning(settings: configuration.database!, logger: Logger(label: "musicforge.keys")) { database in
            try await Migrator(database: database).migrate()
            return try await body(KeyStore(database: database))
        }
    } catch let error as KeyStoreError {
        throw CommandFailure.work(error.description)
    } catch {
        throw CommandFailure.work("The key store failed: \(String(reflecting: error)).")
    }
}

/// How keys are printed: a table for people, JSON lines for scripts.
enum KeyRecordText {
    static func table(_ records: [KeyRecord]) -> String {
        let header = ["ID", "ACCOUNT", "PREFIX", "TIER", "ADMIN", "CREATED", "LAST USED", "STATUS"]
        let rows = records.map { record in
            [
                record.id, record.account, record.prefix + "…", record.tier.rawValue, record.isAdmin ? "yes" : "no",
                date(record.createdAt), record.lastUsedAt.map(date) ?? "-",
                record.revokedAt != nil ? "revoked" : (record.isActive() ? "active" : "expired"),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func json(_ record: KeyRecord) -> String {
        let object: [String: Any] = [
            "id": record.id, "account": record.account, "prefix": record.prefix, "tier": record.tier.rawValue,
            "admin": record.isAdmin, "created_at": date(record.createdAt),
            "last_used_at": record.lastUsedAt.map(date) ?? NSNull(), "revoked_at": record.revokedAt.map(date) ?? NSNull(),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private static func date(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
