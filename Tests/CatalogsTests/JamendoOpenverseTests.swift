import AudioAnalysis
import Catalogs
import Foundation
import TestSupport
import Testing

@Suite struct JamendoProviderTests {
    static func track(id: String, name: String, downloadable: Bool, audio: String, speed: String = "high") -> [String: Any] {
        [
            "id": id, "name": name, "duration": 215, "artist_id": "7", "artist_name": "Night Drive", "album_name": "Tunnels",
            "album_id": "9", "license_ccurl": "http://creativecommons.org/licenses/by-nc-sa/3.0/", "position": 1,
            "releasedate": "2021-03-01", "album_image": "", "audio": audio + "?stream=1", "audiodownload": audio,
            "prourl": "", "shorturl": "https://jamen.do/t/\(id)", "shareurl": "https://www.jamendo.com/track/\(id)",
            "audiodownload_allowed": downloadable, "image": "",
            "musicinfo": [
                "vocalinstrumental": "instrumental", "lang": "", "gender": "", "acousticelectric": "electric", "speed": speed,
                "tags": ["genres": ["techno", "electronic"], "instruments": ["synthesizer"], "vartags": ["dark"]],
            ] as [String: Any],
        ]
    }

    static func answer(_ results: [[String: Any]], code: Int = 0, message: String = "") -> ScriptedHTTPServer.Response {
        .json([
            "headers": [
                "status": code == 0 ? "success" : "failed", "code": code, "error_message": message, "warnings": "",
                "results_count": results.count,
            ] as [String: Any],
            "results": results,
        ])
    }

    @Test func searchesWithTagsAndSpeedAndServesRealAudio() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        let folder = try Processes.makeTemporaryDirectory("jamendo")
        let audio = try CatalogFixtures.audioFile(seconds: 3, in: folder)
        try server.script([
            Self.answer([
                Self.track(id: "1532771", name: "Tunnel Vision", downloadable: true, audio: server.baseURL + "/download/1532771.mp3"),
                Self.track(
                    id: "1532772", name: "No Download", downloadable: false, audio: server.baseURL + "/download/1532772.mp3",
                    speed: "veryhigh"),
            ]),
            .file(audio, contentType: "audio/wav"),
        ])
        let provider = JamendoProvider(
            clientID: "jam-id", baseURL: URL(string: server.baseURL + "/v3.0")!, client: CatalogFixtures.client())
        let candidates = try await provider.search(
            CatalogFixtures.filters("128 bpm dark techno instrumental under 5 minutes"), limit: 20, deadline: CatalogFixtures.deadline())

        #expect(candidates.count == 2)
        let first = candidates[0]
        #expect(first.source == .jamendo && first.externalID == "1532771" && first.title == "Tunnel Vision")
        #expect(first.artist == "Night Drive" && first.durationSeconds == 215)
        #expect(first.license == "http://creativecommons.org/licenses/by-nc-sa/3.0/")
        #expect(first.pageURL == "https://www.jamendo.com/track/1532771")
        #expect(first.tags == ["techno", "electronic", "synthesizer", "dark", "instrumental"])
        #expect(first.tempoHint == TempoHint(min: 120, max: 140))
        #expect(candidates[1].audio == .unavailable, "audiodownload_allowed false: never downloaded")

        let request = try #require(server.requests().first)
        #expect(CatalogFixtures.pathOnly(request) == "/v3.0/tracks/")
        let parameters = CatalogFixtures.parameters(request)
        #expect(parameters["client_id"] == "jam-id" && parameters["format"] == "json")
        #expect(parameters["audioformat"] == "mp32" && parameters["include"] == "musicinfo licenses")
        #expect(parameters["fuzzytags"] == "techno+dark")
        #expect(parameters["speed"]?.split(separator: "+").contains("high") == true)
        #expect(parameters["speed"]?.split(separator: "+").contains("medium") == false)
        #expect(parameters["vocalinstrumental"] == "instrumental")
        #expect(parameters["durationbetween"] == "0_300")

        // The audio URL serves real audio that decodes.
        guard case .url(let url) = first.audio else {
            Issue.record("expected a download URL")
            return
        }
        let downloader = AudioDownloader(allowPrivateAddresses: true)
        let bytes = try await downloader.download(url)
        #expect(abs(try AudioDecoder().decode(bytes: bytes).durationSeconds - 3) < 0.1)
    }

    @Test(arguments: [
        (5, "Your credential is not authorized.", "INVALID_CREDENTIALS"),
        (6, "Rate limit exceeded", "RATE_LIMITED"),
        (4, "Required parameter missing", "UPSTREAM_ERROR"),
    ])
    func headerErrorsAreSourceErrors(code: Int, message: String, expected: String) async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([Self.answer([], code: code, message: message)])
        let provider = JamendoProvider(clientID: "x", baseURL: URL(string: server.baseURL)!, client: CatalogFixtures.client(cache: nil))
        do {
            _ = try await provider.search(CatalogFixtures.filters("house"), limit: 5, deadline: CatalogFixtures.deadline())
            Issue.record("expected \(expected)")
        } catch {
            #expect(error.code == expected)
            #expect(error.description.contains(message))
        }
    }

    @Test func malformedBodiesAreSourceErrors() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([.init(body: "{\"headers\": {\"code\": 0}}"), .init(body: "[1, 2")])
        let provider = JamendoProvider(clientID: "x", baseURL: URL(string: server.baseURL)!, client: CatalogFixtures.client(cache: nil))
        for _ in 0..<2 {
            await #expect(throws: CatalogError.self) {
                try await provider.search(CatalogFixtures.filters("house"), limit: 5, deadline: CatalogFixtures.deadline())
            }
        }
    }

    @Test func speedBucketsCoverTheTempoItsHalfAndDouble() {
        #expect(JamendoProvider.speedParameter(for: nil) == nil)
        #expect(JamendoProvider.speedParameter(for: .init(min: 172, max: 176)) == "low+veryhigh")
        #expect(JamendoProvider.speedParameter(for: .init(min: 118, max: 122)) == "medium+high")
    }
}

@Suite struct OpenverseProviderTests {
    static func result(id: String, title: String, provider: String, landing: String, audio: String) -> [String: Any] {
        [
            "id": id, "title": title, "indexed_on": "2024-01-01T00:00:00Z", "foreign_landing_url": landing, "url": audio,
            "creator": "Some Artist", "creator_url": NSNull(), "license": "by", "license_version": "4.0",
            "license_url": "https://creativecommons.org/licenses/by/4.0/", "provider": provider, "source": provider,
            "category": "music", "genres": ["Electronic"], "filesize": 123456, "filetype": "mp3",
            "tags": [["name": "techno", "accuracy": NSNull()], ["name": "dark", "accuracy": NSNull()]], "alt_files": NSNull(),
            "attribution": "", "fields_matched": ["title"], "mature": false, "audio_set": NSNull(), "duration": 183500,
            "bit_rate": 128000, "sample_rate": 44100, "thumbnail": NSNull(), "detail_url": "", "related_url": "", "waveform": "",
        ]
    }

    static func page(_ results: [[String: Any]]) -> ScriptedHTTPServer.Response {
        .json(["result_count": results.count, "page_count": 1, "page_size": 20, "page": 1, "results": results])
    }

    @Test func asksForAtMostTwentyAndReadsMilliseconds() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([
            Self.page([
                Self.result(
                    id: "2f1c", title: "Night Ride", provider: "freesound", landing: "https://freesound.org/s/1/",
                    audio: server.baseURL + "/a.mp3")
            ])
        ])
        let provider = OpenverseProvider(baseURL: URL(string: server.baseURL + "/v1")!, client: CatalogFixtures.client())
        let candidates = try await provider.search(CatalogFixtures.filters("dark techno"), limit: 50, deadline: CatalogFixtures.deadline())
        #expect(candidates.count == 1)
        #expect(candidates[0].durationSeconds == 183.5)
        #expect(candidates[0].tags == ["electronic", "techno", "dark"])
        #expect(candidates[0].license == "https://creativecommons.org/licenses/by/4.0/")
        let request = try #require(server.requests().first)
        #expect(CatalogFixtures.pathOnly(request) == "/v1/audio/")
        #expect(CatalogFixtures.parameters(request)["page_size"] == "20")
        #expect(CatalogFixtures.parameters(request)["q"] == "techno dark")
    }

    @Test func aRedirectIsFollowedOnlyWhereTheAddressGuardAllows() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([
            .init(status: 301, headers: ["Location": "/v2/audio/?q=techno"], body: ""),
            Self.page([
                Self.result(
                    id: "9a1", title: "Moved", provider: "freesound", landing: "https://freesound.org/s/2/",
                    audio: server.baseURL + "/b.mp3")
            ]),
            .init(status: 302, headers: ["Location": "gopher://127.0.0.1/1"], body: ""),
        ])
        let provider = OpenverseProvider(baseURL: URL(string: server.baseURL + "/v1")!, client: CatalogFixtures.client(cache: nil))
        let moved = try await provider.search(CatalogFixtures.filters("techno"), limit: 5, deadline: CatalogFixtures.deadline())
        #expect(moved.map(\.title) == ["Moved"])
        #expect(server.requests().map(CatalogFixtures.pathOnly) == ["/v1/audio/", "/v2/audio/"])
        // Each hop passes the guard: here the scheme is refused, before anything is asked of it.
        await #expect(throws: CatalogError.addressNotAllowed("gopher://127.0.0.1/1 is not an http or https URL.")) {
            try await provider.search(CatalogFixtures.filters("techno"), limit: 5, deadline: CatalogFixtures.deadline())
        }
    }

    @Test func rateLimitsAndMalformedAnswersAreSourceErrors() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([
            .json(["detail": "Request was throttled. Expected available in 60 seconds."], status: 429, headers: ["Retry-After": "60"]),
            .init(body: "{\"results\": 5}"),
        ])
        let provider = OpenverseProvider(baseURL: URL(string: server.baseURL)!, client: CatalogFixtures.client(cache: nil))
        await #expect(throws: CatalogError.rateLimited("retry after 60 s")) {
            try await provider.search(CatalogFixtures.filters("ambient"), limit: 5, deadline: CatalogFixtures.deadline())
        }
        await #expect(throws: CatalogError.malformed("no results list")) {
            try await provider.search(CatalogFixtures.filters("ambient"), limit: 5, deadline: CatalogFixtures.deadline())
        }
    }
}

@Suite struct CatalogSearchTests {
    /// Asked only for catalogues that are not configured, it answers at once instead of at the deadline.
    @Test func noCatalogueToAskAnswersWithoutWaitingForTheDeadline() async throws {
        let search = CatalogSearch(providers: [
            JamendoProvider(clientID: "x", baseURL: URL(string: "http://127.0.0.1:9")!, client: CatalogFixtures.client())
        ])
        // An hour's deadline, and two minutes to answer: only an answer that did not wait can come in time.
        let answer = await withTaskGroup(of: CatalogSearch.Result?.self) { group in
            group.addTask {
                await search.search(
                    CatalogFixtures.filters("techno"), limit: 10, sources: [.youtube, .openverse], deadline: .now + .seconds(3600))
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(120))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        let result = try #require(answer, "the search waited for its deadline with no catalogue to ask")
        #expect(result.candidates.isEmpty)
        #expect(result.outcomes.map(\.status) == [.skipped, .skipped, .skipped, .skipped])
        #expect(result.outcomes.first { $0.name == .jamendo }?.error == "not requested")
        #expect(result.outcomes.first { $0.name == .youtube }?.error == "not configured")
    }

    @Test func aSlowCatalogPastTheDeadlineLeavesTheOthersResults() async throws {
        let fast = try await ScriptedHTTPServer.start()
        let slow = try await ScriptedHTTPServer.start()
        defer {
            fast.stop()
            slow.stop()
        }
        try fast.script([
            JamendoProviderTests.answer([
                JamendoProviderTests.track(id: "77", name: "Fast One", downloadable: true, audio: fast.baseURL + "/77.mp3")
            ])
        ])
        try slow.script([OpenverseProviderTests.page([]).delayed(120)])
        let search = CatalogSearch(providers: [
            JamendoProvider(clientID: "x", baseURL: URL(string: fast.baseURL)!, client: CatalogFixtures.client()),
            OpenverseProvider(baseURL: URL(string: slow.baseURL)!, client: CatalogFixtures.client()),
        ])
        let start = ContinuousClock.now
        // Thirty seconds for the fast one to answer on a loaded machine (ten were missed once, beside the
        // suites that tag audio); the slow one takes 120 s, so the bound below still tells answering at the
        // deadline from waiting for it.
        let result = await search.search(CatalogFixtures.filters("techno"), limit: 10, deadline: .now + .seconds(30))
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .seconds(90), "answered at the deadline, not when the slow one finished (\(elapsed))")
        #expect(result.candidates.map(\.title) == ["Fast One"])
        let outcomes = Dictionary(uniqueKeysWithValues: result.outcomes.map { ($0.name, $0) })
        #expect(outcomes[.jamendo]?.status == .ok && outcomes[.jamendo]?.count == 1)
        #expect(outcomes[.openverse]?.status == .error && outcomes[.openverse]?.code == "TIMEOUT")
        #expect(outcomes[.youtube]?.status == .skipped && outcomes[.youtube]?.error == "not configured")
        #expect(outcomes[.local]?.status == .skipped)
    }

    @Test func openverseCopiesOfJamendoTracksAreDropped() async throws {
        let jamendo = try await ScriptedHTTPServer.start()
        let openverse = try await ScriptedHTTPServer.start()
        defer {
            jamendo.stop()
            openverse.stop()
        }
        try jamendo.script([
            JamendoProviderTests.answer([
                JamendoProviderTests.track(id: "1532771", name: "Tunnel Vision", downloadable: true, audio: jamendo.baseURL + "/a.mp3")
            ])
        ])
        try openverse.script([
            OpenverseProviderTests.page([
                OpenverseProviderTests.result(
                    id: "ov-1", title: "Tunnel Vision", provider: "jamendo",
                    landing: "https://www.jamendo.com/track/1532771/tunnel-vision", audio: openverse.baseURL + "/b.mp3"),
                OpenverseProviderTests.result(
                    id: "ov-2", title: "Field Recording", provider: "freesound", landing: "https://freesound.org/s/9/",
                    audio: openverse.baseURL + "/c.mp3"),
            ])
        ])
        let search = CatalogSearch(providers: [
            JamendoProvider(clientID: "x", baseURL: URL(string: jamendo.baseURL)!, client: CatalogFixtures.client()),
            OpenverseProvider(baseURL: URL(string: openverse.baseURL)!, client: CatalogFixtures.client()),
        ])
        let result = await search.search(CatalogFixtures.filters("techno"), limit: 10, deadline: CatalogFixtures.deadline())
        #expect(result.candidates.map(\.id) == ["jamendo:1532771", "openverse:ov-2"])
        #expect(result.outcomes.first { $0.name == .openverse }?.count == 1)
    }
}
