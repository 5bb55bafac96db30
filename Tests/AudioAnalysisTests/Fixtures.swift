import AudioAnalysis
import Foundation
import Synthesis
import TestSupport

/// The containers and codecs the decoder must read, each made by the ffmpeg command-line tool from
/// a WAV the test synthesises.
enum AudioFormat: String, CaseIterable, Sendable, CustomStringConvertible {
    case wav, aiff, flac, mp3, m4a, opusOgg, opusWebm, vorbis

    var fileExtension: String {
        switch self {
        case .wav: "wav"
        case .aiff: "aiff"
        case .flac: "flac"
        case .mp3: "mp3"
        case .m4a: "m4a"
        case .opusOgg: "opus"
        case .opusWebm: "webm"
        case .vorbis: "ogg"
        }
    }

    var encoderArguments: [String] {
        switch self {
        case .wav, .aiff, .flac: []
        case .mp3: ["-c:a", "libmp3lame", "-b:a", "192k"]
        case .m4a: ["-c:a", "aac", "-b:a", "160k"]
        case .opusOgg, .opusWebm: ["-c:a", "libopus", "-b:a", "128k"]
        case .vorbis: ["-c:a", "libvorbis", "-q:a", "5"]
        }
    }

    var description: String { rawValue }
}

enum Fixtures {
    static let sampleRate = 44_100

    static var ffmpeg: String {
        get throws {
            guard let path = Processes.find("ffmpeg") else { throw HarnessError("ffmpeg is not installed") }
            return path
        }
    }

    /// A fresh folder for one test's files.
    static func folder(_ name: String) throws -> String { try Processes.makeTemporaryDirectory(name) }

    /// Writes `samples` as a 16-bit WAV at `path`.
    static func writeWAV(_ samples: [Float], to path: String, sampleRate: Int = sampleRate) throws {
        try WAVFile.data(samples: samples, sampleRate: sampleRate).write(to: URL(fileURLWithPath: path))
    }

    /// Encodes `samples` to `format` in `folder`, returning the file's path. With two channels the
    /// samples go unchanged to both (not ffmpeg's -3 dB upmix).
    static func encode(
        _ samples: [Float], as format: AudioFormat, in folder: String, name: String = "clip",
        sampleRate: Int = sampleRate, channels: Int = 1
    ) async throws -> String {
        let wav = folder + "/\(name)-source.wav"
        if !FileManager.default.fileExists(atPath: wav) { try writeWAV(samples, to: wav, sampleRate: sampleRate) }
        let output = folder + "/\(name).\(format.fileExtension)"
        await encoders.acquire()
        defer { Task { await encoders.release() } }
        try await Processes.run(
            ffmpeg,
            ["-nostdin", "-loglevel", "error", "-y", "-i", wav]
                + (channels == 2 ? ["-af", "pan=stereo|c0=c0|c1=c0"] : ["-ac", "1"])
                + format.encoderArguments + [output])
        return output
    }

    /// A sine at `frequency` Hz and `amplitude`, `seconds` long.
    static func sine(frequency: Double, seconds: Double, amplitude: Double = 0.5, sampleRate: Int = sampleRate) -> [Float] {
        (0..<Int(seconds * Double(sampleRate))).map { index in
            Float(amplitude * sin(2 * Double.pi * frequency * Double(index) / Double(sampleRate)))
        }
    }

    /// Runs CPU-heavy work (rendering, decoding, analysis) on a thread of its own: blocking Swift's
    /// cooperative pool would starve every other test running in parallel.
    /// At most two such jobs run at once (the machine's cores), so timing-sensitive tests running
    /// beside them still get the CPU.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        await heavyWork.acquire()
        defer { Task { await heavyWork.release() } }
        return try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    private static let heavyWork = Gate(width: 2)
    /// Encoders running at once: tests in parallel would otherwise start dozens of ffmpeg processes.
    private static let encoders = Gate(width: 2)

    /// Decodes and analyses `path` in this process, off the cooperative pool.
    static func analyze(_ path: String, with analyzer: AudioAnalyzer = AudioAnalyzer()) async throws -> Analysis {
        try await offPool { try analyzer.analyze(path: path) }
    }

    /// A rendered track of the synthesiser: layered drums, bass, chords and a lead.
    static func track(
        _ genre: Genre, bpm: Double, tonic: Int, mode: Synthesis.Mode, seconds: Double = 20, swing: Double = 0,
        noise: Double = 0, seed: UInt64 = 1
    ) async throws -> [Float] {
        let spec = TrackSpec(
            genre: genre, bpm: bpm, tonic: tonic, mode: mode, energy: 0.7, mood: genre.moods.first ?? "happy",
            durationSeconds: seconds, swing: swing, noiseLevel: noise, seed: seed)
        return try await offPool { TrackRenderer(sampleRate: sampleRate).render(spec) }
    }
}

/// An async gate letting `width` holders through at a time.
actor Gate {
    private let width: Int
    private var holders = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { self.width = width }

    func acquire() async {
        if holders < width {
            holders += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            holders -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
