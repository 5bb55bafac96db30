import ArgumentParser
import AudioTagging
import Foundation

/// `musicforge`: the one executable. It parses arguments and calls into the libraries.
@main
struct MusicForgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "musicforge",
        abstract: "Natural-language music search: the API server and its tools.",
        discussion: "Exit status: 0 on success, 1 when the work failed, 2 on bad usage.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, KeysCommand.self, AnalyzeCommand.self, ParseCommand.self,
            SearchCommand.self, SimilarCommand.self, DemoLibraryCommand.self, WorkerCommand.self, BenchParseCommand.self,
        ]
    )

    /// Runs the command with the README's exit statuses: 2 for bad usage (argument parser's 64), 1 for failed work.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withDesignStatus: error)
        }
    }

    private static func exit(withDesignStatus error: any Error) -> Never {
        if let failure = error as? CommandFailure {
            printError(failure.message)
            Foundation.exit(failure.status)
        }
        let code = exitCode(for: error)
        if code == .success {
            // --help and --version: the full text on stdout.
            print(fullMessage(for: error))
            Foundation.exit(0)
        }
        if error is ExitCode {
            Foundation.exit(code.rawValue)
        }
        let message = fullMessage(for: error)
        // Errors from the argument parser are usage errors; anything else is a failure of the work.
        let isUsage = code == .validationFailure || error is ValidationError
        printError(message.isEmpty ? String(describing: error) : message)
        Foundation.exit(isUsage ? 2 : 1)
    }
}

/// A failure the command explains itself, with the exit status to use.
struct CommandFailure: Error {
    var message: String
    var status: Int32

    static func usage(_ message: String) -> CommandFailure { CommandFailure(message: message, status: 2) }
    static func work(_ message: String) -> CommandFailure { CommandFailure(message: message, status: 1) }
}

func printError(_ message: String) {
    var text = message
    if !text.hasSuffix("\n") { text += "\n" }
    FileHandle.standardError.write(Data(text.utf8))
}

/// Says on standard error, once, that the analyses will have no tags, when the weights do not load.
func warnWhenTagsAreOff() {
    if let reason = AudioTagger.unavailability() { printError("musicforge: tags are off: \(reason)") }
}
