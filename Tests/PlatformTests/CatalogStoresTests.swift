import AudioAnalysis
import Catalogs
import Database
import Foundation
@testable import Stores
import Synchronization
import Synthesis
import TestSupport
import Testing

@testable import Platform

/// The server's stores behind the catalogues, on real PostgreSQL and Redis.
@Suite struct CatalogStoresTests {
    static func record(_ path: String, size: Int64 = 100, bpm: Double = 128) -> LibraryRecord {
        LibraryRecord(
            path: path, size: size, modified: 1_764_000_000.5,
            analysis: Analysis(
                durationSeconds: 30, bpm: bpm, bpmConfidence: 0.8, bpmAlternatives: [bpm / 2, bpm * 2], key: nil, energy: 0.7,
                loudnessLufs: -9, waveform: [0.1, 0.5]),
            metadata: AudioMetadata(title: "T \(path)", artist: "A", genre: "techno"))
    }

    @Test func theLibraryIndexKeepsRecordsPerLibraryInPostgres() async throws {
        let settings = try await freshDatabaseSettings()
        try await Database.withRunning(settings: settings, logger: quietLogger) { database in
            try await Migrator(database: database).migrate()
            let index = PostgresLibraryIndex(database: database)
            try await index.save([Self.record("techno/a.mp3"), Self.record("house/b.flac")], removing: [], root: "/music")
            try await index.save([Self.record("other.mp3")], removing: [], root: "/elsewhere")
            var records = try await index.records(root: "/music")
            #expect(Set(records.keys) == ["techno/a.mp3", "house/b.flac"])
            #expect(records["techno/a.mp3"] == Self.record("techno/a.mp3"))

            // Replaced in place, and removed.
            try await index.save([Self.record("techno/a.mp3", size: 200, bpm: 130)], removing: ["house/b.flac"], root: "/music")
            records = try await index.records(root: "/music")
            #expect(Set(records.keys) == ["techno/a.mp3"])
            #expect(records["techno/a.mp3"]?.size == 200)
            #expect(records["techno/a.mp3"]?.analysis?.bpm == 130)
            #expect(try await index.records(root: "/elsewhere").count == 1)
        }
    }

    @Test func aLibraryOverPostgresAnalysesEachFileOnceAcrossInstances() async throws {
        let root = try Processes.makeTemporaryDirectory("pg-library")
        try FileManager.default.createDirectory(atPath: root + "/techno", withIntermediateDirectories: true)
        for name in ["one", "two"] {
            let rate = 22_050
            let samples = (0..<(rate * 2)).map { Float(0.4 * sin(2 * Double.pi * 220 * Double($0) / Double(rate))) }
            try WAVFile.data(samples: samples, sampleRate: rate).write(to: URL(fileURLWithPath: root + "/techno/\(name).wav"))
        }
        let calls = Mutex(0)
        let analyze: LocalLibrary.Analyze = { path in
            calls.withLock { $0 += 1 }
            let audio = try AudioDecoder().decode(path: path)
            return (AudioAnalyzer().analyze(audio), audio.metadata)
        }
        let settings = try await freshDatabaseSettings()
        try await Database.withRunning(settings: settings, logger: quietLogger) { database in
            try await Migrator(database: database).migrate()
            let first = await LocalLibrary(root: root, store: PostgresLibraryIndex(database: database)).refresh(analyze: analyze)
            #expect(first.analysed == 2)
            // Another instance with the same database.
            let second = await LocalLibrary(root: root, store: PostgresLibraryIndex(database: database)).refresh(analyze: analyze)
            #expect(second.analysed == 0 && second.reused == 2)
        }
        #expect(calls.withLock { $0 } == 2)
    }

    @Test func providerAnswersAreSharedThroughRedisWithTheirTTL() async throws {
        let redis = try await sharedRedisClient()
        let cache = RedisBlobCache(redis: redis, prefix: "mf:provider:", logger: quietLogger)
        let key = "https://www.googleapis.com/youtube/v3/search?q=\(UUID().uuidString)"
        #expect(await cache.cachedResponse(forKey: key) == nil)
        let body: [UInt8] = Array("{\"items\": []}".utf8) + [0, 255]
        await cache.storeResponse(body, forKey: key, ttl: .seconds(86_400))
        #expect(await cache.cachedResponse(forKey: key) == body)
        let ttl = try await redis.send("TTL", cache.redisKey(key)).int
        #expect(ttl.map { $0 > 86_000 && $0 <= 86_400 } == true)
    }
}
