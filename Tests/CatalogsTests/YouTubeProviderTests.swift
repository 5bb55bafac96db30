import AudioAnalysis
import Catalogs
import Foundation
import TestSupport
import Testing

@Suite struct YouTubeProviderTests {
    static func searchAnswer() -> ScriptedHTTPServer.Response {
        func item(_ id: String, _ title: String, _ channel: String) -> [String: Any] {
            [
                "kind": "youtube#searchResult", "etag": "e-\(id)", "id": ["kind": "youtube#video", "videoId": id],
                "snippet": [
                    "publishedAt": "2024-05-01T12:00:00Z", "channelId": "UC\(id)", "title": title, "description": "",
                    "thumbnails": [:] as [String: Any], "channelTitle": channel, "liveBroadcastContent": "none",
                    "publishTime": "2024-05-01T12:00:00Z",
                ] as [String: Any],
            ]
        }
        return .json([
            "kind": "youtube#searchListResponse", "etag": "etag", "nextPageToken": "CAIQAA", "regionCode": "US",
            "pageInfo": ["totalResults": 1_000_000, "resultsPerPage": 2],
            "items": [
                item("dQw4w9WgXcQ", "Dark Techno Mix &amp; More", "Tech &#39;n&#39; Beats"), item("abc123DEF45", "Warehouse Set", "Club"),
            ],
        ])
    }

    static func videosAnswer() -> ScriptedHTTPServer.Response {
        .json([
            "kind": "youtube#videoListResponse", "etag": "etag",
            "items": [
                [
                    "kind": "youtube#video", "id": "dQw4w9WgXcQ",
                    "snippet": ["title": "Dark Techno Mix & More", "tags": ["Techno", "Dark"]] as [String: Any],
                    "contentDetails": ["duration": "PT3M45S", "dimension": "2d", "definition": "hd"],
                    "statistics": ["viewCount": "1000", "likeCount": "10"], "status": ["license": "creativeCommon"],
                ] as [String: Any],
                [
                    "kind": "youtube#video", "id": "abc123DEF45", "snippet": ["title": "Warehouse Set"],
                    "contentDetails": ["duration": "PT1H2M3S"], "statistics": ["viewCount": "5"], "status": ["license": "youtube"],
                ] as [String: Any],
            ],
            "pageInfo": ["totalResults": 2, "resultsPerPage": 2],
        ])
    }

    @Test func searchesThenFetchesDetailsInOneBatchAndCachesBoth() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([Self.searchAnswer(), Self.videosAnswer()])
        let quota = QuotaMeter()
        let provider = YouTubeProvider(
            apiKey: "yt-key", baseURL: URL(string: server.baseURL + "/youtube/v3")!, client: CatalogFixtures.client(), quota: quota)
        let filters = CatalogFixtures.filters("dark techno no vocals without piano")

        let candidates = try await provider.search(filters, limit: 10, deadline: CatalogFixtures.deadline())
        #expect(candidates.map(\.externalID) == ["dQw4w9WgXcQ", "abc123DEF45"])
        #expect(candidates[0].title == "Dark Techno Mix & More")
        #expect(candidates[0].artist == "Tech 'n' Beats")
        #expect(candidates[0].durationSeconds == 225)
        #expect(candidates[1].durationSeconds == 3723)
        #expect(candidates[0].audio == .youtube(videoID: "dQw4w9WgXcQ"))
        #expect(candidates[0].audio.publicURL == nil, "stream URLs never reach clients")
        #expect(candidates[0].pageURL == "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
        #expect(candidates[0].tags == ["techno", "dark"])
        #expect(quota.unitsToday() == 101)

        let requests = server.requests()
        #expect(requests.map(CatalogFixtures.pathOnly) == ["/youtube/v3/search", "/youtube/v3/videos"])
        let search = CatalogFixtures.parameters(requests[0])
        #expect(search["part"] == "snippet" && search["type"] == "video" && search["videoCategoryId"] == "10")
        #expect(search["key"] == "yt-key" && search["maxResults"] == "10")
        let q = try #require(search["q"])
        #expect(q.contains("techno") && q.contains("dark") && q.contains("instrumental") && q.contains("-piano"))
        let videos = CatalogFixtures.parameters(requests[1])
        #expect(videos["id"] == "dQw4w9WgXcQ,abc123DEF45")
        #expect(videos["part"]?.contains("contentDetails") == true)

        // The same search again: from the cache, no quota spent.
        let again = try await provider.search(filters, limit: 10, deadline: CatalogFixtures.deadline())
        #expect(again == candidates)
        #expect(server.requests().count == 2)
        #expect(quota.unitsToday() == 101)
    }

    @Test(arguments: [
        (
            403,
            #"{"error": {"code": 403, "message": "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.", "errors": [{"message": "quota", "domain": "youtube.quota", "reason": "quotaExceeded"}]}}"#,
            "QUOTA_EXCEEDED"
        ),
        (
            400,
            #"{"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "errors": [{"message": "API key not valid. Please pass a valid API key.", "domain": "global", "reason": "badRequest"}], "status": "INVALID_ARGUMENT"}}"#,
            "INVALID_CREDENTIALS"
        ),
        (400, #"{"error": {"code": 400, "message": "Bad Request", "errors": [{"reason": "keyInvalid"}]}}"#, "INVALID_CREDENTIALS"),
        (200, "<html>not json</html>", "MALFORMED_RESPONSE"),
        (500, #"{"error": {"code": 500, "message": "Backend Error", "errors": [{"reason": "backendError"}]}}"#, "UPSTREAM_ERROR"),
    ])
    func errorsBecomeClearSourceErrors(status: Int, body: String, code: String) async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        try server.script([.init(status: status, headers: ["Content-Type": "application/json"], body: body)])
        let provider = YouTubeProvider(apiKey: "bad", baseURL: URL(string: server.baseURL)!, client: CatalogFixtures.client(cache: nil))
        do {
            _ = try await provider.search(CatalogFixtures.filters("techno"), limit: 5, deadline: CatalogFixtures.deadline())
            Issue.record("expected \(code)")
        } catch {
            #expect(error.code == code)
            #expect(!error.description.contains("<a"), "links are stripped from messages")
        }
    }

    @Test func ytDLPFetchesAudioThatDecodesAndFailsClearly() async throws {
        let folder = try Processes.makeTemporaryDirectory("ytdlp")
        let audio = try CatalogFixtures.audioFile(seconds: 3, in: folder)
        // Written by a shell of their own: a file this process had open for writing could be inherited
        // by a server another test starts meanwhile, and then never be executable ("text file busy").
        let good = folder + "/yt-dlp-good"
        let failing = folder + "/yt-dlp-failing"
        let hanging = folder + "/yt-dlp-hanging"
        try await Processes.run(
            "/bin/sh",
            [
                "-c",
                """
                printf '#!/bin/sh\\necho "$@" > %s/arguments\\ncat %s\\n' '\(folder)' '\(audio)' > '\(good)'
                printf '#!/bin/sh\\necho "ERROR: [youtube] dQw4w9WgXcQ: Video unavailable" >&2\\nexit 1\\n' > '\(failing)'
                printf '#!/bin/sh\\nsleep 120\\n' > '\(hanging)'
                chmod 755 '\(good)' '\(failing)' '\(hanging)'
                """,
            ])

        let bytes = try await YTDLPFetcher(program: good).fetch(videoID: "dQw4w9WgXcQ")
        let decoded = try AudioDecoder().decode(bytes: bytes)
        #expect(abs(decoded.durationSeconds - 3) < 0.1)
        let arguments = try String(contentsOfFile: folder + "/arguments", encoding: .utf8)
        #expect(arguments.contains("https://www.youtube.com/watch?v=dQw4w9WgXcQ"))
        #expect(arguments.contains("-o -"))

        let capped = try await YTDLPFetcher(program: good, maxBytes: 1000).fetch(videoID: "dQw4w9WgXcQ")
        #expect(capped.count == 1000)

        await #expect(throws: DownloadError.tool("ERROR: [youtube] dQw4w9WgXcQ: Video unavailable")) {
            try await YTDLPFetcher(program: failing).fetch(videoID: "dQw4w9WgXcQ")
        }
        let start = ContinuousClock.now
        await #expect(throws: DownloadError.timedOut) {
            try await YTDLPFetcher(program: hanging, timeout: .seconds(1)).fetch(videoID: "dQw4w9WgXcQ")
        }
        // The bound leaves a loaded machine room past the 1 s timeout, and is still far from the program's 120 s.
        #expect(ContinuousClock.now - start < .seconds(60), "the program would have run 120 s")
        await #expect(throws: DownloadError.invalidURL("../../etc/passwd")) {
            try await YTDLPFetcher(program: good).fetch(videoID: "../../etc/passwd")
        }
    }
}
