/// One schema change: a numbered `.sql` file in `Migrations/`, applied once in one transaction.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Every migration, in order. A new file in `Migrations/` is added here too (a test checks the two agree).
    public static let all: [Migration] = [
        Migration(version: 1, name: "initial", sql: String(decoding: PackageResources._001_initial_sql, as: UTF8.self)),
        Migration(version: 2, name: "usage_rollup", sql: String(decoding: PackageResources._002_usage_rollup_sql, as: UTF8.self)),
        Migration(
            version: 3, name: "library_tracks", sql: String(decoding: PackageResources._003_library_tracks_sql, as: UTF8.self)),
        Migration(
            version: 4, name: "track_analysis", sql: String(decoding: PackageResources._004_track_analysis_sql, as: UTF8.self)),
        Migration(
            version: 5, name: "usage_events_without_account_check",
            sql: String(decoding: PackageResources._005_usage_events_without_account_check_sql, as: UTF8.self)),
        Migration(version: 6, name: "track_sound", sql: String(decoding: PackageResources._006_track_sound_sql, as: UTF8.self)),
        Migration(
            version: 7, name: "track_sound_key", sql: String(decoding: PackageResources._007_track_sound_key_sql, as: UTF8.self)),
    ]
}
