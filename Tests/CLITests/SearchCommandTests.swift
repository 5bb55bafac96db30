import Foundation
import TestSupport
import Testing

/// `musicforge search` over a demo library, no Redis or PostgreSQL: queries built from the manifest
/// find the tracks it describes.
@Suite struct SearchCommandTests {
    @Test func queriesFindTheTracksTheManifestDescribes() async throws {
        let library = try Processes.makeTemporaryDirectory("search") + "/library"
        let written = try await Musicforge.run(["demo-library", library, "--count", "20", "--seconds", "12"], timeout: .seconds(300))
        #expect(written.status == 0, "\(written.stderr)")
        let manifestData = try Data(contentsOf: URL(fileURLWithPath: library + "/manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [[String: Any]])

        for entry in manifest.prefix(3) {
            let path = try #require(entry["path"] as? String)
            let genre = try #require(entry["genre"] as? String)
            let bpm = try #require(entry["bpm"] as? Double)
            let key = try #require(entry["key"] as? [String: Any])
            let query = "\(Int(bpm.rounded())) bpm \(genre) in \(key["tonic"] as? String ?? "") \(key["mode"] as? String ?? "")"
            // Every file must be analysed in the first search (the assertions below need it), which on a
            // loaded machine can take longer than the command's default 30 s deadline.
            let result = try await Musicforge.run(
                ["search", query, "--library", library, "--json", "--limit", "5", "--deadline-seconds", "240"], timeout: .seconds(300))
            #expect(result.status == 0, "\(result.stderr)")
            let response = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let results = try #require(response["results"] as? [[String: Any]])
            let ids = results.compactMap { ($0["track"] as? [String: Any])?["external_id"] as? String }
            #expect(ids.prefix(3).contains(path), "\(query): \(ids)")
            let first = try #require(results.first)
            #expect((first["explanation"] as? String)?.contains("BPM") == true)
            #expect(first["status"] as? String == "analysed")
            #expect((response["sources"] as? [[String: Any]])?.first { $0["name"] as? String == "local" }?["status"] as? String == "ok")
        }

        // Every file analysed once is in the library's index, so the next search analyses nothing new.
        let index = try Data(contentsOf: URL(fileURLWithPath: library + "/.musicforge-index.json"))
        let records = try #require((try JSONSerialization.jsonObject(with: index) as? [String: Any])?["records"] as? [[String: Any]])
        #expect(records.count == 20)
        let table = try await Musicforge.run(["search", "dark techno", "--library", library], timeout: .seconds(120))
        #expect(table.status == 0)
        #expect(table.stdout.contains("score") && table.stdout.contains("local 20"))
    }

    @Test func badUsageIsExplained() async throws {
        let noLibrary = try await Musicforge.run(["search", "techno"])
        #expect(noLibrary.status == 2)
        #expect(noLibrary.stderr.contains("No catalogue to search"))
        let badSource = try await Musicforge.run(["search", "techno", "--sources", "spotify"])
        #expect(badSource.status == 2)
        let badLimit = try await Musicforge.run(["search", "techno", "--limit", "0", "--library", "/tmp"])
        #expect(badLimit.status == 2)
    }
}
