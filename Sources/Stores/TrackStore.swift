import AudioAnalysis
import Catalogs
import Database
import Foundation
import Logging
import PostgresNIO
import Redis
import Search

/// Analysed tracks: PostgreSQL's `tracks` table, with Redis in front (`mf:analysis:<version>:<id>`,
/// 7 days), shared by every instance. Redis down: PostgreSQL answers. PostgreSQL down: a miss, and
/// the track is analysed again.
public struct TrackStore: AnalysisStore {
    let database: Database
    let cache: RedisBlobCache
    let logger: Logger
    public static let redisTTL: Duration = .seconds(7 * 86_400)

    public init(database: Database, redis: RedisClient, logger: Logger) {
        self.database = database
        self.cache = RedisBlobCache(redis: redis, prefix: "mf:analysis:", logger: logger)
        self.logger = logger
    }

    /// Analyses are cached per engine version: a new version never reads an old result.
    static func cacheKey(_ id: String, version: Int) -> String { "\(version):\(id)" }

    public func analysis(of trackID: String, version: Int) async -> Analysis? {
        if let bytes = await cache.bytes(forKey: Self.cacheKey(trackID, version: version)),
            let analysis = try? JSONDecoder().decode(Analysis.self, from: Data(bytes))
        {
            return analysis
        }
        do {
            let rows = try await database.client.query(
                "SELECT analysis::text FROM tracks WHERE id = \(trackID) AND analysis_version = \(version) AND analysis IS NOT NULL",
                logger: logger)
            for try await json in rows.decode(String.self) {
                guard let analysis = try? JSONDecoder().decode(Analysis.self, from: Data(json.utf8)) else { return nil }
                await cache.store(Array(json.utf8), forKey: Self.cacheKey(trackID, version: version), ttl: Self.redisTTL)
                return analysis
            }
        } catch {
            logger.warning("track store read failed", metadata: ["track": "\(trackID)", "error": "\(String(reflecting: error))"])
        }
        return nil
    }

    /// A stored, analysed track as the catalogue described it.
    public func track(id: String) async throws -> (Candidate, Analysis)? {
        guard id.fitsPostgresText else { return nil }
        let rows = try await database.client.query(
            """
            SELECT source, external_id, title, artist, duration_seconds, url, audio_url, license, tags, analysis::text
            FROM tracks WHERE id = \(id) AND analysis IS NOT NULL
            """,
            logger: logger)
        for try await (source, externalID, title, artist, duration, url, audioURL, license, tags, json) in rows.decode(
            (String, String, String, String, Double?, String?, String?, String?, [String], String).self)
        {
            guard let source = CatalogSource(rawValue: source),
                let analysis = try? JSONDecoder().decode(Analysis.self, from: Data(json.utf8))
            else { return nil }
            let candidate = Candidate(
                source: source, externalID: externalID, title: title, artist: artist.isEmpty ? nil : artist, durationSeconds: duration,
                pageURL: url, audio: audioURL.map(AudioLocation.url) ?? .unavailable, license: license, tags: tags)
            return (candidate, analysis)
        }
        return nil
    }

    /// The stored tracks that sound most like `sound` (a reference's `Analysis.sound`), nearest first.
    /// Two steps (migration 0007): the GiST index on `sound_key`, the vector on 6 principal axes, finds the
    /// `keyCandidates` nearest by key; those are re-ranked by the exact distance of their 100-value vectors.
    public func near(sound: [Double], limit: Int = 50) async -> [Candidate] {
        do {
            let rows = try await database.client.query(Self.nearQuery(sound: sound, limit: limit), logger: logger)
            return try await Self.candidates(rows)
        } catch {
            logger.warning("tracks alike in sound not read", metadata: ["error": "\(String(reflecting: error))"])
            return []
        }
    }

    /// How many tracks the key step hands to the exact re-ranking. Chosen by `scripts/bench-knn`: over
    /// 100,000 vectors, 800 find 91 % of the exact 50 nearest, and a query takes 11 ms (p95 19 ms).
    static let keyCandidates = 800

    static func nearQuery(sound: [Double], limit: Int) -> PostgresQuery {
        """
        SELECT source, external_id, title, artist, duration_seconds, url, audio_url, license, tags
        FROM (SELECT source, external_id, title, artist, duration_seconds, url, audio_url, license, tags, sound
              FROM tracks
              WHERE sound IS NOT NULL AND analysis_version = \(Analysis.currentVersion)
              ORDER BY sound_key <-> sound_key_of(cube(\(sound)::float8[]))
              LIMIT \(max(limit, keyCandidates))) nearest_by_key
        ORDER BY sound <-> cube(\(sound)::float8[]), external_id
        LIMIT \(limit)
        """
    }

    /// Stored tracks whose tempo is within 8% of `bpm`, its half or its double: candidates for
    /// `/v1/similar` that no catalogue needs to be asked for again.
    public func near(bpm: Double, limit: Int = 50) async -> [Candidate] {
        let ranges = [bpm, bpm / 2, bpm * 2].map { ($0 * 0.92, $0 * 1.08) }
        do {
            let rows = try await database.client.query(
                """
                SELECT source, external_id, title, artist, duration_seconds, url, audio_url, license, tags
                FROM tracks
                WHERE analysis IS NOT NULL AND (bpm BETWEEN \(ranges[0].0) AND \(ranges[0].1)
                   OR bpm BETWEEN \(ranges[1].0) AND \(ranges[1].1) OR bpm BETWEEN \(ranges[2].0) AND \(ranges[2].1))
                ORDER BY abs(bpm - \(bpm)), id
                LIMIT \(limit)
                """,
                logger: logger)
            return try await Self.candidates(rows)
        } catch {
            logger.warning("similar tracks not read", metadata: ["error": "\(String(reflecting: error))"])
            return []
        }
    }

    /// Candidates from rows of source, external id, title, artist, duration, url, audio url, licence, tags.
    static func candidates(_ rows: PostgresRowSequence) async throws -> [Candidate] {
        var candidates: [Candidate] = []
        for try await (source, externalID, title, artist, duration, url, audioURL, license, tags) in rows.decode(
            (String, String, String, String, Double?, String?, String?, String?, [String]).self)
        {
            guard let source = CatalogSource(rawValue: source) else { continue }
            candidates.append(
                Candidate(
                    source: source, externalID: externalID, title: title, artist: artist.isEmpty ? nil : artist,
                    durationSeconds: duration, pageURL: url, audio: audioURL.map(AudioLocation.url) ?? .unavailable,
                    license: license, tags: tags))
        }
        return candidates
    }

    public func store(_ analysis: Analysis, of candidate: Candidate) async {
        let json = String(decoding: (try? JSONEncoder().encode(analysis)) ?? Data(), as: UTF8.self)
        do {
            try await database.client.query(
                """
                INSERT INTO tracks (id, source, external_id, title, artist, duration_seconds, url, audio_url, license, tags,
                                    bpm, bpm_confidence, key_tonic, key_mode, key_confidence, energy, loudness_lufs,
                                    analysis_version, analysed_at, analysis, sound)
                VALUES (\(candidate.id), \(candidate.source.rawValue), \(candidate.externalID), \(candidate.title),
                        \(candidate.artist ?? ""), \(analysis.durationSeconds), \(candidate.pageURL), \(candidate.audio.publicURL),
                        \(candidate.license), \(candidate.tags), \(analysis.bpm), \(analysis.bpmConfidence), \(analysis.key?.tonic),
                        \(analysis.key?.mode), \(analysis.key?.confidence), \(analysis.energy), \(analysis.loudnessLufs),
                        \(analysis.analysisVersion), now(), \(json)::jsonb, cube(\(analysis.sound)::float8[]))
                ON CONFLICT (id) DO UPDATE SET
                    title = EXCLUDED.title, artist = EXCLUDED.artist, duration_seconds = EXCLUDED.duration_seconds,
                    url = EXCLUDED.url, audio_url = EXCLUDED.audio_url, license = EXCLUDED.license, tags = EXCLUDED.tags,
                    bpm = EXCLUDED.bpm, bpm_confidence = EXCLUDED.bpm_confidence, key_tonic = EXCLUDED.key_tonic,
                    key_mode = EXCLUDED.key_mode, key_confidence = EXCLUDED.key_confidence, energy = EXCLUDED.energy,
                    loudness_lufs = EXCLUDED.loudness_lufs, analysis_version = EXCLUDED.analysis_version,
                    analysed_at = EXCLUDED.analysed_at, analysis = EXCLUDED.analysis, sound = EXCLUDED.sound,
                    updated_at = now()
                """,
                logger: logger)
        } catch {
            logger.warning("track store write failed", metadata: ["track": "\(candidate.id)", "error": "\(String(reflecting: error))"])
        }
        await cache.store(Array(json.utf8), forKey: Self.cacheKey(candidate.id, version: analysis.analysisVersion), ttl: Self.redisTTL)
    }
}

/// One analysis of a track at a time across instances: `SET mf:analysing:<id> NX PX`.
public struct RedisAnalysisClaim: AnalysisClaim {
    let redis: RedisClient
    let owner = UUID().uuidString

    public init(redis: RedisClient) { self.redis = redis }

    static func redisKey(_ id: String) -> String { RedisClient.digestKey("mf:analysing:", id) }

    public func claim(_ trackID: String, for duration: Duration) async -> Bool {
        guard let reply = try? await redis.send("SET", Self.redisKey(trackID), owner, "NX", "PX", String(Int(duration.milliseconds))) else {
            // Redis down: go ahead; the worst case is the same track analysed twice.
            return true
        }
        return reply == .status("OK")
    }

    public func release(_ trackID: String) async {
        _ = try? await redis.evaluate(Self.releaseScript, keys: [Self.redisKey(trackID)], arguments: [owner])
    }

    /// Deletes the claim only if it is still ours (it may have expired and been taken since).
    static let releaseScript = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """)
}
