import AudioAnalysis
import Catalogs
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite struct LocalLibraryTests {
    /// A library: techno/dark/one.wav, house/two.wav, and ambient/three.flac with container tags.
    static func makeLibrary() async throws -> String {
        let root = try Processes.makeTemporaryDirectory("library")
        for folder in ["techno/dark", "house", "ambient", ".hidden"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        _ = try CatalogFixtures.audioFile(seconds: 2, in: root + "/techno/dark", name: "one")
        _ = try CatalogFixtures.audioFile(seconds: 2, in: root + "/house", name: "two")
        _ = try CatalogFixtures.audioFile(seconds: 2, in: root + "/.hidden", name: "ignored")
        try "not audio".write(toFile: root + "/house/notes.txt", atomically: true, encoding: .utf8)
        let source = try CatalogFixtures.audioFile(seconds: 2, in: root, name: "source")
        let ffmpeg = try #require(Processes.find("ffmpeg"), "ffmpeg is needed (scripts/test installs it)")
        try await Processes.run(
            ffmpeg,
            [
                "-nostdin", "-loglevel", "error", "-y", "-i", source, "-metadata", "title=Deep Space", "-metadata", "artist=Orbit",
                "-metadata", "genre=Ambient", "-metadata", "comment=dreamy and hypnotic", root + "/ambient/three.flac",
            ])
        try FileManager.default.removeItem(atPath: source)
        return root
    }

    /// Analyses in process, counting calls.
    final class CountingAnalyzer: Sendable {
        let calls = Mutex<[String]>([])

        var analyze: LocalLibrary.Analyze {
            { path in
                self.calls.withLock { $0.append(URL(fileURLWithPath: path).lastPathComponent) }
                let audio = try AudioDecoder().decode(path: path)
                return (AudioAnalyzer().analyze(audio), audio.metadata)
            }
        }

        var count: Int { calls.withLock { $0.count } }
    }

    @Test func analysesOnceAndAgainOnlyWhatChanged() async throws {
        let root = try await Self.makeLibrary()
        let analyzer = CountingAnalyzer()

        let first = await LocalLibrary(root: root, store: LibraryIndexFile()).refresh(analyze: analyzer.analyze)
        #expect(first == .init(files: 3, analysed: 3, reused: 0, failed: 0, removed: 0))
        #expect(FileManager.default.fileExists(atPath: root + "/" + LibraryIndexFile.fileName))

        // A new process (a fresh library object) reads the index: nothing is analysed again.
        let second = await LocalLibrary(root: root, store: LibraryIndexFile()).refresh(analyze: analyzer.analyze)
        #expect(second == .init(files: 3, analysed: 0, reused: 3, failed: 0, removed: 0))
        #expect(analyzer.count == 3)

        // A changed file (new modification time), a new file and a deleted one.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: root + "/house/two.wav")
        _ = try CatalogFixtures.audioFile(seconds: 2, in: root + "/house", name: "four")
        try FileManager.default.removeItem(atPath: root + "/techno/dark/one.wav")
        try "garbage".write(toFile: root + "/house/broken.mp3", atomically: true, encoding: .utf8)
        let third = await LocalLibrary(root: root, store: LibraryIndexFile()).refresh(analyze: analyzer.analyze)
        #expect(third == .init(files: 4, analysed: 2, reused: 1, failed: 1, removed: 1))
        #expect(Set(analyzer.calls.withLock { $0 }.suffix(3)) == ["two.wav", "four.wav", "broken.mp3"])

        // The broken file is remembered as failed and not tried again until it changes.
        let fourth = await LocalLibrary(root: root, store: LibraryIndexFile()).refresh(analyze: analyzer.analyze)
        #expect(fourth.analysed == 0 && fourth.failed == 0 && fourth.reused == 4)
    }

    @Test func tagsComeFromFoldersAndContainerMetadata() async throws {
        let root = try await Self.makeLibrary()
        let library = LocalLibrary(root: root, store: LibraryIndexFile())
        _ = await library.refresh(analyze: CountingAnalyzer().analyze)
        let tracks = Dictionary(uniqueKeysWithValues: await library.tracks().map { ($0.file.path, $0) })
        #expect(Set(tracks.keys) == ["ambient/three.flac", "house/two.wav", "techno/dark/one.wav"])
        #expect(tracks["techno/dark/one.wav"]?.tags == ["techno", "dark"])
        let ambient = try #require(tracks["ambient/three.flac"])
        #expect(ambient.title == "Deep Space")
        #expect(ambient.record?.metadata?.artist == "Orbit")
        #expect(ambient.tags == ["ambient", "dreamy", "hypnotic"])
        #expect(ambient.record?.analysis?.durationSeconds.rounded() == 2)
    }

    @Test func theProviderPutsMatchingTracksFirstAndHonoursExclusions() async throws {
        let root = try await Self.makeLibrary()
        let library = LocalLibrary(root: root, store: LibraryIndexFile())
        _ = await library.refresh(analyze: CountingAnalyzer().analyze)
        let provider = LocalLibraryProvider(library: library)

        let dark = try await provider.search(CatalogFixtures.filters("dark techno"), limit: 10, deadline: CatalogFixtures.deadline())
        #expect(dark.first?.externalID == "techno/dark/one.wav")
        #expect(dark.count == 3)
        #expect(dark.first?.audio == .file(path: library.root + "/techno/dark/one.wav"))
        #expect(dark.first?.source == .local)
        // Like every catalogue, at most `limit`: the best matches.
        let best = try await provider.search(CatalogFixtures.filters("dark techno"), limit: 1, deadline: CatalogFixtures.deadline())
        #expect(best.map(\.externalID) == ["techno/dark/one.wav"])

        let noTechno = try await provider.search(
            CatalogFixtures.filters("music without techno"), limit: 10, deadline: CatalogFixtures.deadline())
        #expect(Set(noTechno.map(\.externalID)) == ["ambient/three.flac", "house/two.wav"])
        let ambient = try await provider.search(
            CatalogFixtures.filters("deep space ambient"), limit: 10, deadline: CatalogFixtures.deadline())
        #expect(ambient.first?.title == "Deep Space" && ambient.first?.artist == "Orbit")
    }
}
