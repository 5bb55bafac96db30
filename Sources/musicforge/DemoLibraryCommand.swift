import App
import ArgumentParser
import Foundation
import Synthesis

/// `musicforge demo-library DIR [--count N]`: a synthetic library with known BPM and key.
struct DemoLibraryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-library", abstract: "Write a synthetic library of audio files with known BPM and key.",
        discussion:
            "Tracks with drums, bass, chords and a lead across 10 genres, all 24 keys, encoded as MP3, Opus and FLAC, with manifest.json holding the truth. Needs the ffmpeg program."
    )

    @Argument(help: "The folder to write.")
    var directory: String

    @Option(help: "How many tracks.")
    var count: Int = 48

    @Option(help: .hidden)
    var seconds: Double = 30

    func run() async throws {
        guard (1...10_000).contains(count) else { throw CommandFailure.usage("--count must be from 1 to 10000.") }
        guard (1...600).contains(seconds) else { throw CommandFailure.usage("--seconds must be from 1 to 600.") }
        let total = count
        let progress = TerminalProgress(total: total)
        do {
            let entries = try await DemoLibrary(count: count, durationSeconds: seconds).write(to: directory) { _ in
                progress.advance("rendering")
            }
            progress.finish()
            printError("Wrote \(entries.count) tracks and manifest.json to \(directory).")
        } catch let failure as DemoLibrary.Failure {
            throw CommandFailure.work(failure.description)
        }
    }
}
