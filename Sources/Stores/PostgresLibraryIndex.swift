import Catalogs
import Database
import Foundation
import PostgresNIO

/// The server's library index: `library_tracks` in PostgreSQL, shared by every instance.
public struct PostgresLibraryIndex: LibraryIndexStore {
    let database: Database

    public init(database: Database) { self.database = database }

    public func records(root: String) async throws -> [String: LibraryRecord] {
        let rows = try await database.client.query(
            "SELECT record::text FROM library_tracks WHERE library = \(root)", logger: database.logger)
        var records: [String: LibraryRecord] = [:]
        let decoder = JSONDecoder()
        for try await json in rows.decode(String.self) {
            if let record = try? decoder.decode(LibraryRecord.self, from: Data(json.utf8)) { records[record.path] = record }
        }
        return records
    }

    public func save(_ records: [LibraryRecord], removing removed: [String], root: String) async throws {
        if !records.isEmpty {
            let encoder = JSONEncoder()
            let json = try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
            try await database.client.query(
                """
                INSERT INTO library_tracks (library, path, size, modified, record)
                SELECT \(root), path, size, modified, record::jsonb
                FROM UNNEST(\(records.map(\.path))::text[], \(records.map(\.size))::int8[], \(records.map(\.modified))::float8[],
                            \(json)::text[]) AS t(path, size, modified, record)
                ON CONFLICT (library, path) DO UPDATE
                SET size = EXCLUDED.size, modified = EXCLUDED.modified, record = EXCLUDED.record, updated_at = now()
                """,
                logger: database.logger)
        }
        if !removed.isEmpty {
            try await database.client.query(
                "DELETE FROM library_tracks WHERE library = \(root) AND path = ANY(\(removed)::text[])", logger: database.logger)
        }
    }
}
