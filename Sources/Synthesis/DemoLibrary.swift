import SynthesisVoices
import Foundation

/// Writes a demo library: synthesised tracks in sub-folders named after their genre, encoded as a mix
/// of MP3, Opus and FLAC by the `ffmpeg` program, and `manifest.json` with the truth of each
/// (the shape of openapi.yaml's `Filters` and `Analysis`).
public struct DemoLibrary: Sendable {
    /// One manifest entry.
    public struct Entry: Codable, Sendable, Hashable {
        public struct Key: Codable, Sendable, Hashable {
            public var tonic: String
            public var mode: String
        }

        public var path: String
        public var bpm: Double
        public var key: Key
        public var genre: String
        public var mood: String
        public var energy: Double
    }

    public enum Failure: Error, CustomStringConvertible {
        case encoderMissing
        case encodingFailed(String)

        public var description: String {
            switch self {
            case .encoderMissing: "The ffmpeg program is needed to encode the demo library; install it (apt-get install ffmpeg)."
            case .encodingFailed(let file): "ffmpeg could not encode \(file)."
            }
        }
    }

    /// File formats in turn: the extension and ffmpeg's encoder arguments.
    static let formats: [(String, [String])] = [
        ("mp3", ["-c:a", "libmp3lame", "-b:a", "192k"]),
        ("opus", ["-c:a", "libopus", "-b:a", "128k"]),
        ("flac", ["-c:a", "flac"]),
    ]

    public var count: Int
    public var seed: UInt64
    public var durationSeconds: Double
    public var sampleRate: Int

    public init(count: Int = 48, seed: UInt64 = 2026, durationSeconds: Double = 30, sampleRate: Int = 44_100) {
        self.count = count
        self.seed = seed
        self.durationSeconds = durationSeconds
        self.sampleRate = sampleRate
    }

    /// The specs of the library's tracks, in order.
    public func specs() -> [TrackSpec] {
        var generator = SpecGenerator(seed: seed, durationSeconds: durationSeconds)
        return (0..<count).map { generator.next(index: $0) }
    }

    /// Renders, encodes and writes every track and the manifest into `directory`, `parallelism` tracks
    /// at a time; `progress` is called after each track with the number done.
    public func write(
        to directory: String, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount,
        progress: @Sendable (Int) -> Void = { _ in }
    ) async throws -> [Entry] {
        guard let ffmpeg = Self.ffmpegPath() else { throw Failure.encoderMissing }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let specs = specs()
        var entries = [Entry?](repeating: nil, count: specs.count)
        try await withThrowingTaskGroup(of: (Int, Entry).self) { group in
            var next = 0
            var done = 0
            func submit() {
                guard next < specs.count else { return }
                let index = next
                next += 1
                group.addTask { (index, try self.writeTrack(specs[index], index: index, in: directory, ffmpeg: ffmpeg)) }
            }
            for _ in 0..<max(1, parallelism) { submit() }
            for try await (index, entry) in group {
                entries[index] = entry
                done += 1
                progress(done)
                submit()
            }
        }
        let manifest = entries.compactMap { $0 }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: directory + "/manifest.json"))
        return manifest
    }

    private func writeTrack(_ spec: TrackSpec, index: Int, in directory: String, ffmpeg: String) throws -> Entry {
        let (fileExtension, arguments) = Self.formats[index % Self.formats.count]
        let tonic = spec.keyName.split(separator: " ")[0]
        let name = String(format: "%03d-%@-%.1fbpm-%@-%@", index + 1, spec.genre.rawValue, spec.bpm, String(tonic), spec.mode.rawValue)
            .replacingOccurrences(of: "#", with: "sharp")
        let relative = "\(spec.genre.rawValue)/\(name).\(fileExtension)"
        try FileManager.default.createDirectory(
            atPath: directory + "/" + spec.genre.rawValue, withIntermediateDirectories: true)
        let wav = directory + "/.\(name).wav"
        try WAVFile.data(samples: TrackRenderer(sampleRate: sampleRate).render(spec), sampleRate: sampleRate)
            .write(to: URL(fileURLWithPath: wav))
        defer { try? FileManager.default.removeItem(atPath: wav) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpeg)
        process.arguments =
            ["-nostdin", "-loglevel", "error", "-y", "-i", wav]
            + arguments
            + [
                "-metadata", "title=\(spec.genre.rawValue) \(index + 1)", "-metadata", "artist=MusicForge Demo",
                "-metadata", "genre=\(spec.genre.rawValue)", "-metadata", "comment=\(spec.mood)",
                directory + "/" + relative,
            ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure.encodingFailed(relative) }
        return Entry(
            path: relative, bpm: spec.bpm, key: .init(tonic: String(tonic), mode: spec.mode.rawValue),
            genre: spec.genre.rawValue, mood: spec.mood, energy: spec.energy)
    }

    static func ffmpegPath() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"])
            .map { $0 + "/ffmpeg" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
