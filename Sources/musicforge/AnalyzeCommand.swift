import App
import AnalysisWorkers
import ArgumentParser
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
        let files = AnalysisInputs.expand(inputs)
        guard !files.isEmpty else { throw CommandFailure.work("No audio files found in the inputs given.") }
        if !decodeOnly { warnWhenTagsAreOff() }
        let pool = AnalysisPool(
            configuration: AnalysisPoolConfiguration(
                executable: AnalysisPoolConfiguration.thisProgram, workers: min(workers, files.count),
                queueCapacity: max(files.count, 1)))
        defer { pool.shutdown() }
        let downloader = AudioDownloader(
            allowPrivateAddresses: ProcessInfo.processInfo.environment["MUSICFORGE_ALLOW_PRIVATE_URLS"] == "1")
        let progress = TerminalProgress(total: files.count)
        var failures = 0
        // Submitted together, printed in input order as soon as each is ready.
        try await withThrowingTaskGroup(of: (Int, Result<AnalysisReport, AnalysisInputError>).self) { group in
            for (index, input) in files.enumerated() {
                group.addTask {
                    (index, await AnalyzeOutput.analyze(input, pool: pool, downloader: downloader, decodeOnly: decodeOnly))
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

    private func line(for input: AnalysisInput, _ result: Result<AnalysisReport, AnalysisInputError>) -> String {
        json ? AnalyzeOutput.jsonLine(for: input, result, timings: timings) : AnalyzeOutput.textLine(for: input, result)
    }
}
