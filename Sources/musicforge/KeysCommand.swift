import App
import Accounts
import ArgumentParser
import Database
import Foundation
import Logging

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
