import AnalysisWorkers
import ArgumentParser
import AudioAnalysis
import AudioTagging

/// `musicforge worker`: one analysis worker, fed by the pool over its standard input and output.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "One analysis worker process (spawned by the pool; not for people).",
        shouldDisplay: false)

    // Synchronous on purpose: the worker's one job is blocking decode and DSP on its main thread.
    func run() throws {
        // Without weights the worker measures without tags; the command that started it says so.
        AnalysisWorker(analyzer: AudioAnalyzer(tagger: try? AudioTagger.load())).run()
    }
}
