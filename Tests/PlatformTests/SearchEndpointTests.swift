import Foundation
import Hummingbird
import HummingbirdTesting
import Search
import Synthesis
import TestSupport
import Testing

@testable import Platform

/// `/v1/search` end to end: real Redis and PostgreSQL, real worker processes, a demo library and a
/// fake Jamendo serving real audio.
@Suite(.serialized) struct SearchEndpointTests {
    struct World: Sendable {
        var app: TestApp
        var library: String
        var manifest: [DemoLibrary.Entry]
        var jamendo: ScriptedHTTPServer
        var jamendoID: String
    }

    /// One eight-track demo library for every test, written by `musicforge demo-library` in a process of
    /// its own (synthesis here would hold the test runner's threads).
    static let sharedLibrary = Task<(String, [DemoLibrary.Entry]), any Error> {
        let library = try Processes.makeTemporaryDirectory("search-e2e") + "/library"
        try await Processes.run(BuiltProducts.musicforge, ["demo-library", library, "--count", "8", "--seconds", "10"])
        let manifest = try JSONDecoder().decode(
            [DemoLibrary.Entry].self, from: Data(contentsOf: URL(fileURLWithPath: library + "/manifest.json")))
        return (library, manifest)
    }

    /// A fresh database, the shared library, and a Jamendo with one downloadable track.
    static func world(jamendoDelay: Double = 0) async throws -> World {
        let folder = try Processes.makeTemporaryDirectory("search-e2e-world")
        let (library, manifest) = try await sharedLibrary.value
        let jamendo = try await ScriptedHTTPServer.start()
        let audio = folder + "/jamendo.wav"
        let rate = 22_050
        let clicks = (0..<(rate * 8)).map { index -> Float in index % (rate / 2) < 200 ? 0.8 : Float(0.2 * sin(Double(index) / 8)) }
        try WAVFile.data(samples: clicks, sampleRate: rate).write(to: URL(fileURLWithPath: audio))
        let jamendoID = String(Int.random(in: 1_000_000...9_999_999))
        let track: [String: Any] = [
            "id": jamendoID, "name": "Night Drive", "duration": 8, "artist_name": "Jam Artist",
            "license_ccurl": "http://creativecommons.org/licenses/by/3.0/", "shareurl": "https://www.jamendo.com/track/\(jamendoID)",
            "audio": jamendo.baseURL + "/stream.wav", "audiodownload": jamendo.baseURL + "/download.wav", "audiodownload_allowed": true,
            "musicinfo": [
                "vocalinstrumental": "instrumental", "speed": "high",
                "tags": ["genres": ["techno"], "instruments": [], "vartags": ["dark"]],
            ],
        ]
        let answer: [String: Any] = [
            "headers": ["status": "success", "code": 0, "error_message": "", "warnings": "", "results_count": 1], "results": [track],
        ]
        try jamendo.script([
            ScriptedHTTPServer.Response.json(answer, repeats: true).delayed(jamendoDelay).only(for: "/tracks"),
            ScriptedHTTPServer.Response.file(audio, contentType: "audio/wav", repeats: true).only(for: "/download"),
        ])
        var app = try await TestApp.shared()
        let base = jamendo.baseURL
        app.configure = { configuration in
            configuration.libraryPath = library
            configuration.jamendoClientID = "test-client"
            configuration.jamendoBaseURL = URL(string: base)!
            configuration.allowPrivateURLs = true
            configuration.analysisWorkers = 2
        }
        return World(app: app, library: library, manifest: manifest, jamendo: jamendo, jamendoID: jamendoID)
    }

    static func post(_ client: any TestClientProtocol, key: String, _ body: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        let response = try await client.execute(
            uri: "/v1/search", method: .post, headers: [.contentType: "application/json", .xAPIKey: key], body: ByteBuffer(string: body))
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
        return (response.status, json)
    }

    /// The longest deadline a search may ask for, for the searches whose assertions need every analysis
    /// finished: the default (`SearchPipeline.defaultDeadline`) suits a user, and a loaded machine misses
    /// it. The deadline is not part of the response cache's key, so a later search without it is still
    /// answered from the cache.
    static let fullDeadline = SearchService.deadlineLimits.upperBound

    static func ids(_ json: [String: Any]) -> [String] {
        ((json["results"] as? [[String: Any]]) ?? []).compactMap { ($0["track"] as? [String: Any])?["id"] as? String }
    }

    @Test func findsTheTracksTheManifestDescribesAndCachesTheAnswer() async throws {
        let world = try await Self.world()
        defer { world.jamendo.stop() }
        let key = try await world.app.createKey(tier: .enterprise).secret
        let entry = try #require(world.manifest.first)
        let query = "\(Int(entry.bpm.rounded())) bpm \(entry.genre) in \(entry.key.tonic) \(entry.key.mode)"
        try await world.app.test { client in
            let (status, json) = try await Self.post(
                client, key: key,
                #"{"query": "\#(query)", "sources": ["local", "jamendo"], "limit": 9, "deadline_ms": \#(Self.fullDeadline)}"#)
            #expect(status == .ok, "\(json)")
            let ids = Self.ids(json)
            #expect(ids.prefix(3).contains("local:" + entry.path), "\(query): \(ids)")
            #expect(Set(json.keys).isSuperset(of: ["search_id", "query", "filters", "results", "sources", "timing_ms"]))
            let results = try #require(json["results"] as? [[String: Any]])
            let first = try #require(results.first)
            #expect(first["status"] as? String == "analysed")
            #expect((first["analysis"] as? [String: Any])?["bpm"] is Double)
            #expect((first["explanation"] as? String)?.contains("BPM") == true)
            let track = try #require(first["track"] as? [String: Any])
            #expect(track["audio_url"] is NSNull, "a local file has no public audio URL")
            let sources = Dictionary(
                uniqueKeysWithValues: ((json["sources"] as? [[String: Any]]) ?? []).map { ($0["name"] as? String ?? "", $0) })
            #expect(sources["local"]?["status"] as? String == "ok" && sources["local"]?["count"] as? Int == 8)
            #expect(sources["jamendo"]?["status"] as? String == "ok" && sources["jamendo"]?["count"] as? Int == 1)
            #expect(sources["youtube"]?["status"] as? String == "skipped")
            #expect(json["cached"] as? Bool == false)

            // The Jamendo track was downloaded and analysed too (all nine candidates are in the answer: where
            // it ranks among local tracks that sound like techno is not the point here).
            let jamendo = try #require(results.first { ($0["track"] as? [String: Any])?["id"] as? String == "jamendo:\(world.jamendoID)" })
            #expect(jamendo["status"] as? String == "analysed")
            #expect((jamendo["track"] as? [String: Any])?["audio_url"] as? String == world.jamendo.baseURL + "/download.wav")

            // The same query again: from the response cache.
            let (_, again) = try await Self.post(
                client, key: key, #"{"query": "  \#(query.uppercased())", "sources": ["jamendo", "local"], "limit": 9}"#)
            #expect(again["cached"] as? Bool == true)
            #expect(Self.ids(again) == ids)

            // Each result can be read back with its waveform.
            // A local id holds the file's path: its slashes are percent-encoded in the URL.
            let encodedID = "local:" + entry.path.replacingOccurrences(of: "/", with: "%2F")
            let local = try await client.execute(uri: "/v1/tracks/\(encodedID)", method: .get, headers: [.xAPIKey: key])
            #expect(local.status == .ok)
            let detail = try #require(try JSONSerialization.jsonObject(with: Data(buffer: local.body)) as? [String: Any])
            #expect(((detail["analysis"] as? [String: Any])?["waveform"] as? [Double])?.count == 100)
            #expect((detail["track"] as? [String: Any])?["external_id"] as? String == entry.path)
            let remote = try await client.execute(uri: "/v1/tracks/jamendo:\(world.jamendoID)", method: .get, headers: [.xAPIKey: key])
            #expect(remote.status == .ok)
            let missing = try await client.execute(uri: "/v1/tracks/jamendo:0", method: .get, headers: [.xAPIKey: key])
            #expect(missing.status == .notFound)

            // The GET form answers the same.
            let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let get = try await client.execute(
                uri: "/v1/search?q=\(encoded)&sources=local,jamendo&limit=9", method: .get, headers: [.xAPIKey: key])
            #expect(get.status == .ok)
            // A deadline out of range is refused, even with the answer cached.
            let badDeadline = try await client.execute(
                uri: "/v1/search?q=\(encoded)&sources=local,jamendo&limit=9&deadline_ms=50", method: .get, headers: [.xAPIKey: key])
            #expect(badDeadline.status == .badRequest)
            // So is a `sources` the contract does not spell so (case, spaces, an empty name), though it
            // names the cached answer's catalogues.
            for sources in ["Local,jamendo", "local,%20jamendo", "local,jamendo,", "local,,jamendo"] {
                let refused = try await client.execute(
                    uri: "/v1/search?q=\(encoded)&sources=\(sources)&limit=9", method: .get, headers: [.xAPIKey: key])
                #expect(refused.status == .badRequest, "sources=\(sources): \(refused.status)")
            }
        }
        // One searches row for the computed answer.
        let postgres = try await TestServers.postgres()
        let rows = try await postgres.psql("SELECT count(*) FROM searches", database: world.app.databaseSettings.database)
        #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }

    @Test func similarTracksByIDAndByUpload() async throws {
        let world = try await Self.world()
        defer { world.jamendo.stop() }
        let key = try await world.app.createKey(tier: .enterprise).secret
        let seed = try #require(world.manifest.first)
        try await world.app.test { client in
            // A search first, so the library is analysed, and the Jamendo track the similar searches also
            // find: were it still pending there, it would be listed after the analysed ones whatever its
            // score, and the scores below would be out of order.
            let (status, _) = try await Self.post(
                client, key: key, #"{"query": "music", "sources": ["local", "jamendo"], "deadline_ms": \#(Self.fullDeadline)}"#)
            #expect(status == .ok)

            let byID = try await client.execute(
                uri: "/v1/similar", method: .post, headers: [.contentType: "application/json", .xAPIKey: key],
                body: ByteBuffer(string: #"{"track_id": "local:\#(seed.path)"}"#))
            #expect(byID.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: byID.body)) as? [String: Any])
            #expect(((json["query_track"] as? [String: Any])?["track"] as? [String: Any])?["external_id"] as? String == seed.path)
            let ids = Self.ids(json)
            #expect(!ids.isEmpty && !ids.contains("local:" + seed.path), "the reference is left out: \(ids)")
            let scores = ((json["results"] as? [[String: Any]]) ?? []).compactMap { $0["score"] as? Double }
            #expect(scores == scores.sorted(by: >))

            // The same audio uploaded: the library's copy of it comes first.
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: world.library + "/" + seed.path)))
            let upload = try await client.execute(
                uri: "/v1/similar", method: .post,
                headers: [.contentType: "multipart/form-data; boundary=mfBoundary7", .xAPIKey: key],
                body: AnalyzeEndpointTests.multipart([(name: "file", filename: "seed", bytes: bytes)]))
            #expect(upload.status == .ok)
            let uploaded = try #require(try JSONSerialization.jsonObject(with: Data(buffer: upload.body)) as? [String: Any])
            #expect(Self.ids(uploaded).first == "local:" + seed.path)
        }
    }

    @Test func twoConcurrentSearchesAnalyseEachTrackOnce() async throws {
        let world = try await Self.world()
        defer { world.jamendo.stop() }
        let key = try await world.app.createKey(tier: .enterprise).secret
        let dependencies = world.app.dependencies()
        try await world.app.test(dependencies: dependencies) { client in
            async let first = Self.post(
                client, key: key, #"{"query": "dark techno", "sources": ["local", "jamendo"], "deadline_ms": \#(Self.fullDeadline)}"#)
            async let second = Self.post(
                client, key: key, #"{"query": "dark techno!", "sources": ["local", "jamendo"], "deadline_ms": \#(Self.fullDeadline)}"#)
            let (a, b) = try await (first, second)
            #expect(a.0 == .ok && b.0 == .ok)
            #expect(Self.ids(a.1).count == 9)
        }
        #expect(dependencies.search.pipeline.analyzer.analysesRun == 9, "8 local files and 1 Jamendo track, each once")
    }

    /// A library file that does not decode is tried once, remembered in the index, and not tried again
    /// by later searches until it changes.
    @Test func aFileThatDoesNotDecodeIsNotTriedAgain() async throws {
        let (shared, manifest) = try await Self.sharedLibrary.value
        let folder = try Processes.makeTemporaryDirectory("search-broken-library")
        let good = try #require(manifest.first?.path)
        let goodName = "techno/good." + URL(fileURLWithPath: good).pathExtension
        try FileManager.default.createDirectory(atPath: folder + "/techno", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: shared + "/" + good, toPath: folder + "/" + goodName)
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: folder + "/techno/broken.wav"))
        var app = try await TestApp.shared()
        app.configure = { configuration in
            configuration.libraryPath = folder
            configuration.analysisWorkers = 1
        }
        let key = try await app.createKey(tier: .enterprise).secret
        let dependencies = app.dependencies()
        try await app.test(dependencies: dependencies) { client in
            // Two different queries, so the second is not answered from the response cache.
            for query in ["techno", "techno tracks"] {
                let (status, json) = try await Self.post(
                    client, key: key, #"{"query": "\#(query)", "sources": ["local"], "deadline_ms": \#(Self.fullDeadline)}"#)
                #expect(status == .ok)
                #expect(Self.ids(json).contains("local:" + goodName), "\(query): \(Self.ids(json))")
            }
        }
        #expect(dependencies.search.pipeline.analyzer.analysesRun == 2, "each file once: the good one and the broken one")
    }

    /// Two instances (separate dependencies, the same Redis and PostgreSQL) searching at once: the Redis
    /// claim lets one analyse the Jamendo track while the other waits for its result.
    @Test func twoInstancesAnalyseACatalogueTrackOnce() async throws {
        let world = try await Self.world()
        defer { world.jamendo.stop() }
        let key = try await world.app.createKey(tier: .enterprise).secret
        let first = world.app.dependencies()
        let second = world.app.dependencies()
        /// The status and the first result's analysis status of one search.
        @Sendable func search(_ client: any TestClientProtocol, _ query: String) async throws -> (HTTPResponse.Status, String?) {
            let (status, json) = try await Self.post(
                client, key: key, #"{"query": "\#(query)", "sources": ["jamendo"], "deadline_ms": \#(Self.fullDeadline)}"#)
            return (status, (json["results"] as? [[String: Any]])?.first?["status"] as? String)
        }
        async let a = world.app.test(dependencies: first) { try await search($0, "night drive") }
        async let b = world.app.test(dependencies: second) { try await search($0, "night drive!") }
        let (answerA, answerB) = try await (a, b)
        #expect(answerA.0 == .ok && answerB.0 == .ok)
        #expect(answerA.1 == "analysed" && answerB.1 == "analysed")
        let runs = first.search.pipeline.analyzer.analysesRun + second.search.pipeline.analyzer.analysesRun
        #expect(runs == 1, "one instance analysed the track; the other read its result")
    }

    @Test func pastItsPatienceASearchAnswersWithTheMeasuresAndTheTagsFollow() async throws {
        var world = try await Self.world()
        defer { world.jamendo.stop() }
        // No patience at all: the answer comes as soon as every track has its DSP measures. The workers
        // hear the tags of a batch only after all its measures, so the last track measured is always
        // still being tagged then.
        let configure = world.app.configure
        world.app.configure = { configuration in
            configure?(&configuration)
            configuration.searchTagPatience = .zero
        }
        let key = try await world.app.createKey(tier: .enterprise).secret
        try await world.app.test { client in
            let body = #"{"query": "house", "sources": ["local"], "limit": 8}"#
            let (status, first) = try await Self.post(client, key: key, body)
            #expect(status == .ok, "\(first)")
            let results = try #require(first["results"] as? [[String: Any]])
            #expect(results.count == 8)
            // Each track has its measures, unless the default deadline (8 s) passed first, as it may on a
            // loaded machine: then it is `pending`, with no analysis.
            for result in results {
                #expect((result["status"] as? String == "analysed") == (result["analysis"] is [String: Any]), "\(result)")
            }
            let analyses = results.compactMap { $0["analysis"] as? [String: Any] }
            // A worker hears tags only when no input waits: whether the answer came at the last measures or
            // at the deadline, the tracks measured last are still being tagged.
            let pending = analyses.filter { $0["tags_pending"] as? Bool == true }
            #expect(!pending.isEmpty, "the last track measured is still being tagged")
            for analysis in pending {
                #expect(analysis["tags"] is NSNull && analysis["bpm"] is Double && analysis["energy"] is Double)
            }
            for analysis in analyses where analysis["tags_pending"] == nil { #expect(analysis["tags"] is [Any]) }
            #expect(first["cached"] as? Bool == false)

            // A search that waits for the tags (it names its deadline) gets them: the analyses went on.
            // The first answer was not cached, or this one would be it.
            let (_, second) = try await Self.post(
                client, key: key, #"{"query": "house", "sources": ["local"], "limit": 8, "deadline_ms": \#(Self.fullDeadline)}"#)
            #expect(second["cached"] as? Bool == false)
            let whole = ((second["results"] as? [[String: Any]]) ?? []).compactMap { $0["analysis"] as? [String: Any] }
            #expect(whole.count == 8)
            #expect(whole.allSatisfy { $0["tags_pending"] == nil && $0["tags"] is [Any] })
            #expect(Set(Self.ids(second)) == Set(Self.ids(first)))

            // That answer is whole, so it is cached, and the first search's body is answered from it now.
            let (_, third) = try await Self.post(client, key: key, body)
            #expect(third["cached"] as? Bool == true)
        }
    }

    @Test func aSlowCatalogueLeavesTheOthersResults() async throws {
        // A 10 s deadline gives the local catalogue 5 s to answer (the catalogues get half) on a loaded
        // machine; the slow one answers far later, so the bound below tells the two apart.
        let world = try await Self.world(jamendoDelay: 60)
        defer { world.jamendo.stop() }
        let key = try await world.app.createKey(tier: .enterprise).secret
        try await world.app.test { client in
            let start = ContinuousClock.now
            let (status, json) = try await Self.post(
                client, key: key, #"{"query": "house", "sources": ["local", "jamendo"], "deadline_ms": 10000}"#)
            #expect(status == .ok)
            #expect(ContinuousClock.now - start < .seconds(40), "answered at the deadline, not after the 60 s catalogue")
            let sources = Dictionary(
                uniqueKeysWithValues: ((json["sources"] as? [[String: Any]]) ?? []).map { ($0["name"] as? String ?? "", $0) })
            #expect(sources["jamendo"]?["status"] as? String == "error")
            #expect(sources["jamendo"]?["code"] as? String == "TIMEOUT")
            #expect(sources["local"]?["status"] as? String == "ok")
            #expect(Self.ids(json).count == 8)
        }
    }

    @Test(arguments: [
        #"{"query": ""}"#, #"{"query": "techno", "limit": 0}"#, #"{"query": "techno", "limit": 101}"#,
        #"{"query": "techno", "sources": ["spotify"]}"#, #"{"query": "techno", "deadline_ms": 50}"#,
    ])
    func badSearchesAre400(body: String) async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey().secret
        try await app.test { client in
            let (status, json) = try await Self.post(client, key: key, body)
            #expect(status == .badRequest, "\(json)")
            #expect((json["error"] as? [String: Any])?["code"] as? String == "INVALID_REQUEST")
        }
    }
}
