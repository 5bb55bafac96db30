import Foundation
import TestSupport
import Testing

/// `musicforge demo-library` and `musicforge analyze` as a user runs them.
@Suite struct AnalyzeCommandTests {
    @Test func demoLibraryWritesTracksAndAManifestThatAnalyzeAgreesWith() async throws {
        let folder = try Processes.makeTemporaryDirectory("demo")
        let library = folder + "/library"
        let written = try await Musicforge.run(["demo-library", library, "--count", "6", "--seconds", "12"])
        #expect(written.status == 0, "\(written.stderr)")
        let manifestData = try Data(contentsOf: URL(fileURLWithPath: library + "/manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [[String: Any]])
        #expect(manifest.count == 6)
        let extensions = Set(manifest.compactMap { ($0["path"] as? String)?.split(separator: ".").last.map(String.init) })
        #expect(extensions == ["mp3", "opus", "flac"])
        for entry in manifest {
            let path = try #require(entry["path"] as? String)
            #expect(path.hasPrefix((entry["genre"] as? String ?? "?") + "/"))
            #expect(FileManager.default.fileExists(atPath: library + "/" + path))
            #expect((entry["key"] as? [String: Any])?["tonic"] is String)
        }

        // A folder, a file that is not audio and a missing file: one line each, exit 1.
        FileManager.default.createFile(atPath: folder + "/notes.mp3", contents: Data("not audio".utf8))
        let result = try await Musicforge.run(["analyze", "--json", library, folder + "/notes.mp3", folder + "/gone.flac"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(lines.count == 8)
        let byPath = Dictionary(uniqueKeysWithValues: lines.compactMap { line in (line["path"] as? String).map { ($0, line) } })
        #expect((byPath[folder + "/notes.mp3"]?["error"] as? [String: Any])?["code"] as? String == "UNSUPPORTED_MEDIA")
        #expect((byPath[folder + "/gone.flac"]?["error"] as? [String: Any])?["code"] as? String == "NOT_FOUND")
        for entry in manifest {
            let path = library + "/" + (entry["path"] as! String)
            let line = try #require(byPath[path], "no line for \(path)")
            let truth = try #require(entry["bpm"] as? Double)
            let bpm = try #require(line["bpm"] as? Double, "\(line)")
            let error = [truth, truth * 2, truth / 2].map { abs(bpm - $0) / $0 }.min()!
            #expect(error <= 0.04, "\(path): \(bpm) BPM")
            #expect(line["analysis_version"] as? Int == 4)
            #expect((line["waveform"] as? [Double])?.count == 100)
            let sound = try #require(line["sound"] as? [Double], "no sound in \(path)")
            #expect(sound.count == 100 && sound.allSatisfy { (0...1).contains($0) })
            let tags = try #require(line["tags"] as? [[String: Any]], "no tags in \(path)")
            #expect(tags.allSatisfy { ["genre", "mood", "instrument", "vocals"].contains($0["kind"] as? String ?? "") && $0["tag"] is String && $0["name"] == nil })
            #expect((line["key"] as? [String: Any])?["camelot"] is String)
        }
    }

    /// Without weights, or with damaged ones, the engine still measures: `tags` and `sound` are null,
    /// and the command says once, on stderr, that tags are off and why.
    @Test func damagedOrMissingWeightsTurnTagsOffAndSaySoOnce() async throws {
        let folder = try Processes.makeTemporaryDirectory("no-weights")
        let library = folder + "/library"
        let written = try await Musicforge.run(["demo-library", library, "--count", "2", "--seconds", "8"])
        #expect(written.status == 0, "\(written.stderr)")
        let models = folder + "/models"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        var weights = try [UInt8](Data(contentsOf: URL(fileURLWithPath: BuiltProducts.models + "/musicnn.weights")))
        weights[weights.count - 100] ^= 0xFF
        FileManager.default.createFile(atPath: models + "/musicnn.weights", contents: Data(weights))
        for (folder, reason) in [(models, "damaged"), (folder + "/nowhere", "no weights file")] {
            let result = try await Musicforge.run(["analyze", "--json", library], environment: ["MUSICFORGE_MODELS": folder])
            #expect(result.status == 0, "\(result.stderr)")
            let warnings = result.stderr.split(separator: "\n").filter { $0.contains("tags are off") }
            #expect(warnings.count == 1 && warnings.first?.contains(reason) == true, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(lines.count == 2)
            for line in lines {
                #expect(line["bpm"] is Double && line["tags"] is NSNull && line["sound"] is NSNull, "\(line)")
            }
        }
    }

    /// Issue bar: on a fresh demo library, `analyze` agrees with the manifest on the tempo (within 4%,
    /// a half or double tempo counting as agreement, as the analysis reports both) for at least 95% of
    /// the files and on the exact key for at least 90%.
    @Test func aFreshDemoLibraryAgreesWithItsManifest() async throws {
        let library = try Processes.makeTemporaryDirectory("demo-accuracy") + "/library"
        // Generous limits: this runs beside every other suite on a two-core machine.
        let written = try await Musicforge.run(["demo-library", library, "--count", "40", "--seconds", "12"], timeout: .seconds(300))
        #expect(written.status == 0, "\(written.stderr)")
        let manifestData = try Data(contentsOf: URL(fileURLWithPath: library + "/manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [[String: Any]])
        #expect(manifest.count == 40)
        #expect(Set(manifest.compactMap { $0["genre"] as? String }).count >= 8)

        let result = try await Musicforge.run(["analyze", "--json", library], timeout: .seconds(300))
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let byPath = Dictionary(uniqueKeysWithValues: lines.compactMap { line in (line["path"] as? String).map { ($0, line) } })
        var tempoAgrees = 0
        var keyAgrees = 0
        for entry in manifest {
            let line = try #require(byPath[library + "/" + (entry["path"] as? String ?? "")])
            let truth = try #require(entry["bpm"] as? Double)
            if let bpm = line["bpm"] as? Double, [truth, truth * 2, truth / 2].contains(where: { abs(bpm - $0) / $0 <= 0.04 }) {
                tempoAgrees += 1
            }
            let wanted = entry["key"] as? [String: Any]
            let found = line["key"] as? [String: Any]
            if let wanted, let found, wanted["tonic"] as? String == found["tonic"] as? String,
                wanted["mode"] as? String == found["mode"] as? String
            {
                keyAgrees += 1
            }
        }
        #expect(Double(tempoAgrees) / 40 >= 0.95, "tempo agrees on \(tempoAgrees) of 40")
        #expect(Double(keyAgrees) / 40 >= 0.90, "key agrees on \(keyAgrees) of 40")
    }

    @Test func analyzePrintsAReadableLineWithoutJSON() async throws {
        let folder = try Processes.makeTemporaryDirectory("analyze-text")
        _ = try await Musicforge.run(["demo-library", folder, "--count", "1", "--seconds", "8"])
        let result = try await Musicforge.run(["analyze", folder])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("BPM"))
        #expect(result.stdout.contains("LUFS"))
    }

    @Test func badWorkerCountIsAUsageError() async throws {
        let result = try await Musicforge.run(["analyze", "x.mp3"], environment: ["ANALYSIS_WORKERS": "zero"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("ANALYSIS_WORKERS"))
    }
}
