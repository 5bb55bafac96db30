import AnalysisWorkers
import AudioAnalysis
import Catalogs
import Foundation

/// What `musicforge analyze` does with one input, and the line it prints for it.
public enum AnalyzeOutput {
    /// Analyses one input in `pool`, a URL downloaded first; every failure is the input's error.
    public static func analyze(
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

    /// One line of `analyze --json`.
    public static func jsonLine(
        for input: AnalysisInput, _ result: Result<AnalysisReport, AnalysisInputError>, timings: Bool
    ) -> String {
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

    /// One line of `analyze` for people: tab-separated tempo, key, energy, loudness and duration.
    public static func textLine(for input: AnalysisInput, _ result: Result<AnalysisReport, AnalysisInputError>) -> String {
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

public struct AnalysisInputError: Error, Encodable {
    public var code: String
    public var message: String
}

/// One line of `analyze --json`: openapi.yaml's `Analysis` with `path` (or `url`), or the input's error.
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
