import AudioAnalysis
import Catalogs
import Database
import Foundation
import PostgresNIO
@testable import Stores
import TestSupport
import Testing

@testable import Platform

/// `/v1/similar`'s nearest neighbours by sound (TrackStore.near(sound:)), on a real PostgreSQL with the
/// project's migrations: the key index's candidates re-ranked by the exact distance.
@Suite struct SoundNeighboursTests {
    /// Sparse vectors like tag probabilities: a few likely tags per style, the rest small.
    static func vectors(_ count: Int) -> [[Double]] {
        var state: UInt64 = 2026
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        return (0..<count).map { index in
            (0..<100).map { tag in tag % 7 == index % 7 ? 0.3 + 0.6 * next() : 0.03 * next() }
        }
    }

    static func analysis(sound: [Double]?, version: Int = Analysis.currentVersion) -> Analysis {
        Analysis(
            durationSeconds: 30, bpm: 120, bpmConfidence: 0.8, bpmAlternatives: [60, 240], key: nil, energy: 0.5,
            loudnessLufs: -10, waveform: [0.2], sound: sound, analysisVersion: version)
    }

    static func distance(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    @Test func theNearestBySoundComeFirstInExactOrder() async throws {
        let settings = try await freshDatabaseSettings()
        let redis = try await sharedRedisClient()
        try await Database.withRunning(settings: settings, logger: quietLogger) { database in
            try await Migrator(database: database).migrate()
            let store = TrackStore(database: database, redis: redis, logger: quietLogger)
            let sounds = Self.vectors(60)
            for (index, sound) in sounds.enumerated() {
                let candidate = Candidate(source: .jamendo, externalID: "sound-\(index)", title: "Track \(index)", audio: .unavailable)
                await store.store(Self.analysis(sound: sound), of: candidate)
            }
            // Neither a track without a sound nor one from an older engine is a neighbour.
            let reference = sounds[3].map { $0 * 0.97 }
            await store.store(Self.analysis(sound: nil), of: Candidate(source: .jamendo, externalID: "silent", title: "S", audio: .unavailable))
            await store.store(
                Self.analysis(sound: reference, version: Analysis.currentVersion - 1),
                of: Candidate(source: .jamendo, externalID: "old", title: "O", audio: .unavailable))

            let found = await store.near(sound: reference, limit: 12).map(\.externalID)
            let exact = sounds.indices.sorted { Self.distance(sounds[$0], reference) < Self.distance(sounds[$1], reference) }
                .prefix(12).map { "sound-\($0)" }
            #expect(found == Array(exact))
            #expect(found.first == "sound-3")
            #expect(!found.contains("silent") && !found.contains("old"))
        }
    }

    @Test func theKeyStepIsAnIndexScan() async throws {
        let settings = try await freshDatabaseSettings()
        try await Database.withRunning(settings: settings, logger: quietLogger) { database in
            try await Migrator(database: database).migrate()
            let query = TrackStore.nearQuery(sound: Self.vectors(1)[0], limit: 10)
            // A table this small is scanned when allowed; with scans priced out, the plan shows that the
            // key index can answer the KNN order itself. (This database and its pool end with the test.)
            let plan = try await database.client.withConnection { connection in
                try await connection.query("SET enable_seqscan = off", logger: quietLogger)
                var lines: [String] = []
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds), logger: quietLogger)
                for try await line in rows.decode(String.self) { lines.append(line) }
                return lines.joined(separator: "\n")
            }
            #expect(plan.contains("Index Scan using tracks_sound_key"), "\(plan)")
            #expect(plan.contains("Order By: (sound_key <-> "), "\(plan)")
        }
    }
}
