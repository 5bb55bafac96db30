import AnalysisWorkers
import ArgumentParser
import AudioAnalysis
import Catalogs
import Foundation

/// `musicforge analyze PATH_OR_URL... [--json]`: analyses files and folders through the worker pool,
/// one line per input, in the order given.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze", abstract: "Analyse audio files, folders or URLs: BPM, key, energy, loudness.",
        discussion:
            "Folders are searched recursively for audio files. A failed input is reported and the rest go on; the exit status is 1 if any failed."
    )

    @Argument(help: "Files, folders (searched recursively) or URLs.")
    var inputs: [String]

    @Flag(help: "One JSON object per input per line.")
    var json = false

    @Flag(help: .hidden)
    var timings = false

    @Flag(help: .hidden)
    var decodeOnly = false

    func run() async throws {
        let workers = try loadConfiguration(requirements: []).analysisWorkers
        let files = try AnalysisInputs.expand(inputs)
        guard !files.isEmpty else { throw CommandFailure.work("No audio files found in the inputs given.") }
        if !decodeOnly { warnWhenTagsAreOff() }
        let pool = AnalysisPool(
            configuration: AnalysisPoolConfiguration(
                executable: AnalysisPoolConfiguration.thisProgram, workers: min(workers, files.count),
                queueCapacity: max(files.count, 1)))
        defer { pool.shutdown() }
        let downloader = AudioDownloader(
            allowPrivateAddresses: ProcessInfo.processInfo.environment["MUSICFORGE_ALLOW_PRIVATE_URLS"] == "1")
        let progress = Progress(total: files.count)
        var failures = 0
        // Submitted together, printed in input order as soon as each is ready.
        try await withThrowingTaskGroup(of: (Int, Result<AnalysisReport, AnalysisInputError>).self) { group in
            for (index, input) in files.enumerated() {
                group.addTask {
                    (index, await Self.analyze(input, pool: pool, downloader: downloader, decodeOnly: decodeOnly))
                }
            }
            var ready: [Int: Result<AnalysisReport, AnalysisInputError>] = [:]
            var next = 0
            for try await (index, result) in group {
                ready[index] = result
                while let result = ready.removeValue(forKey: next) {
                    progress.advance(files[next].label)
                    if case .failure = result { failures += 1 }
                    print(line(for: files[next], result))
                    next += 1
                }
            }
        }
        progress.finish()
        if failures > 0 { throw ExitCode(1) }
    }

    private static func analyze(
        _ input: AnalysisInput, pool: AnalysisPool, downloader: AudioDownloader, decodeOnly: Bool
    ) async -> Result<AnalysisReport, AnalysisInputError> {
        switch input {
        case .missing(let path):
            return .failure(AnalysisInputError(code: "NOT_FOUND", message: "\(path) does not exist."))
        case .file(let path):
            do {
                return .success(try await pool.analyze(path: path, decodeOnly: decodeOnly))
            } catch {
                return .failure(AnalysisInputError(code: error.code, message: error.description))
            }
        case .url(let url):
            let bytes: [UInt8]
            do {
                bytes = try await downloader.download(url)
            } catch {
                return .failure(AnalysisInputError(code: error.code, message: error.description))
            }
            do {
                return .success(try await pool.analyze(bytes: bytes))
            } catch {
                return .failure(AnalysisInputError(code: error.code, message: error.description))
            }
        }
    }

    private func line(for input: AnalysisInput, _ result: Result<AnalysisReport, AnalysisInputError>) -> String {
        json ? jsonLine(for: input, result) : textLine(for: input, result)
    }

    private func jsonLine(for input: AnalysisInput, _ result: Result<AnalysisReport, AnalysisInputError>) -> String {
        var line = AnalyzeLine(input: input)
        switch result {
        case .success(let report):
            line.analysis = report.analysis
            if timings {
                line.timing = report.timing
                line.peakRSSMiB = report.peakRSSMiB
            }
        case .failure(let error):
            line.error = error
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(line)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    private func textLine(for input: AnalysisInput, _ result: Result<AnalysisReport, AnalysisInputError>) -> String {
        switch result {
        case .failure(let error): return "\(input.label)\terror: \(error.message)"
        case .success(let report):
            guard let analysis = report.analysis else { return "\(input.label)\tdecoded in \(report.timing.decode) ms" }
            let bpm = analysis.bpm.map { String(format: "%.1f BPM", $0) } ?? "no tempo"
            let key = analysis.key.map { "\($0.tonic) \($0.mode) (\($0.camelot))" } ?? "no key"
            return "\(input.label)\t\(bpm)\t\(key)\tenergy \(analysis.energy)\t\(analysis.loudnessLufs) LUFS\t"
                + String(format: "%.1f s", analysis.durationSeconds)
        }
    }
}

struct AnalysisInputError: Error, Encodable {
    var code: String
    var message: String
}

/// One line of `analyze --json`: DESIGN.md's Analysis with `path` (or `url`), or the input's error.
struct AnalyzeLine: Encodable {
    var input: AnalysisInput
    var analysis: Analysis?
    var error: AnalysisInputError?
    var timing: AnalysisTiming?
    var peakRSSMiB: Double?

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(input.label, forKey: Key(input.isURL ? "url" : "path"))
        // The analysis's fields sit beside the path, in the same object.
        try analysis?.encode(to: encoder)
        try container.encodeIfPresent(error, forKey: Key("error"))
        try container.encodeIfPresent(timing, forKey: Key("timing_ms"))
        try container.encodeIfPresent(peakRSSMiB, forKey: Key("peak_rss_mb"))
    }
}
