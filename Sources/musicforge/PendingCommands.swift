import ArgumentParser

/// Commands whose engines come in later versions: they say so and exit 2, with no fake output.
private func notAvailable(_ command: String) -> CommandFailure {
    .usage("`musicforge \(command)` is not available in this version yet.")
}

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Run the whole search pipeline in this process (no Redis or PostgreSQL).")

    @Argument(help: "The query.")
    var query: String

    @Option(help: "A folder of audio files (default: MUSICFORGE_LIBRARY).")
    var library: String?

    @Option(help: "Comma-separated sources: local, jamendo, youtube, openverse.")
    var sources: String?

    @Option(help: "How many results.")
    var limit: Int = 20

    @Flag(help: "Print DESIGN.md's search result JSON.")
    var json = false

    func run() async throws { throw notAvailable("search") }
}
