@testable import Database
import Foundation
import TestSupport
import Testing

@testable import Platform

@Suite struct MigrationTests {
    @Test func everyMigrationFileIsRegistered() throws {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Database/Migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        let versions = files.compactMap { Int($0.prefix(while: \.isNumber)) }
        #expect(versions == Migration.all.map(\.version))
        #expect(versions == Array(1...versions.count), "migrations are numbered 1, 2, 3… without gaps")
        for (file, migration) in zip(files, Migration.all) {
            let onDisk = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            #expect(onDisk == migration.sql, "\(file) is embedded as written")
        }
    }

    @Test func migrateTwiceAppliesOnce() async throws {
        let settings = try await freshDatabaseSettings()
        try await Database.withRunning(settings: settings, logger: quietLogger) { (database: Database) async throws in
            let migrator = Migrator(database: database)
            #expect(try await migrator.migrate() == Migration.all.map(\.version))
            #expect(try await migrator.migrate() == [])
            #expect(try await migrator.appliedVersions() == Migration.all.map(\.version))
        }
        let postgres = try await TestServers.postgres()
        let tables = try await postgres.psql(
            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'",
            database: settings.database)
        #expect(
            tables.trimmingCharacters(in: .whitespacesAndNewlines)
                == "accounts,api_keys,library_tracks,schema_migrations,searches,tracks,usage_daily,usage_events")
    }

    @Test func concurrentMigratorsApplyEachVersionOnce() async throws {
        let settings = try await freshDatabaseSettings()
        // Four processes' worth of pools racing on one empty database.
        let results = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await Database.withRunning(settings: settings, logger: quietLogger) { (database: Database) async throws in
                        try await Migrator(database: database).migrate()
                    }
                }
            }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        #expect(results.flatMap { $0 }.sorted() == Migration.all.map(\.version))
        let postgres = try await TestServers.postgres()
        let count = try await postgres.psql("SELECT count(*) FROM schema_migrations", database: settings.database)
        #expect(Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) == Migration.all.count)
    }

    @Test func failingMigrationLeavesNothingBehind() async throws {
        let settings = try await freshDatabaseSettings()
        let broken =
            Migration.all + [
                Migration(version: 99, name: "broken", sql: "CREATE TABLE half_done (id int); SELECT * FROM no_such_table;")
            ]
        try await Database.withRunning(settings: settings, logger: quietLogger) { (database: Database) async throws in
            await #expect(throws: MigrationError.self) { try await Migrator(database: database, migrations: broken).migrate() }
            #expect(try await Migrator(database: database).appliedVersions() == Migration.all.map(\.version))
        }
        let postgres = try await TestServers.postgres()
        let exists = try await postgres.psql("SELECT to_regclass('half_done') IS NULL", database: settings.database)
        #expect(exists.trimmingCharacters(in: .whitespacesAndNewlines) == "t")
    }
}
