import App
import ArgumentParser
import Catalogs
import Foundation
import Logging
import QueryParsing
import Search

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Run the whole search pipeline in this process (no Redis or PostgreSQL).",
        discussion: "Local analyses are kept in the library's .musicforge-index.json, so a second search analyses nothing new.")

    @Argument(help: "The query.")
    var query: String

    @Option(help: "A folder of audio files (default: MUSICFORGE_LIBRARY).")
    var library: String?

    @Option(help: "Comma-separated sources: local, jamendo, youtube, openverse.")
    var sources: String?

    @Option(help: "How many results (1 to 100).")
    var limit: Int = 20

    @Flag(help: "Print the search result as JSON (openapi.yaml's SearchResponse).")
    var json = false

    @Option(help: .hidden)
    var deadlineSeconds: Double = 30

    func run() async throws {
        let configuration = try loadConfiguration(requirements: [])
        bootstrapLogging(level: max(configuration.logLevel, .warning), json: false)
        guard (1...SearchPipeline.maxLimit).contains(limit) else { throw CommandFailure.usage("--limit must be from 1 to 100.") }
        let scope: SearchScope
        do {
            scope = try SearchScope(sources: sources, library: library, configuration: configuration)
        } catch {
            throw CommandFailure.usage(error.message)
        }
        let (chosen, folder) = (scope.sources, scope.library)
        let llm: QueryParser.LLM?
        do {
            llm = try configuration.makeLLM()
        } catch {
            throw CommandFailure.usage(error.description)
        }
        let logger = Logger(label: "musicforge.search")
        warnWhenTagsAreOff()
        let stack = SearchStack(
            configuration: configuration, stores: .inProcess, llm: llm, libraryPath: folder,
            // A library alone: all of it (up to the provider's 500) is a candidate, heard or not; a
            // word-only query on files that say nothing needs every file's tags.
            candidatesPerSource: chosen == [.local] ? LocalLibraryProvider.defaultMaxCandidates : 50, logger: logger)
        let pipeline = stack.pipeline
        defer { stack.pool.shutdown() }
        let response: SearchResponse
        do {
            response = try await pipeline.search(
                .init(query: query, limit: limit, sources: chosen, deadline: .milliseconds(Int(deadlineSeconds * 1000))))
        } catch {
            throw CommandFailure.usage(error.message)
        }
        if json {
            print(try JSONOutput.text(response))
        } else {
            print(SearchTable.text(response))
        }
    }
}
