import App
import ArgumentParser
import Core
import Foundation
import Logging
import QueryParsing

struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse", abstract: "Turn a query into filters.",
        discussion: "auto uses the configured LLM (LLM_PROVIDER, OPENAI_API_KEY, ANTHROPIC_API_KEY) and falls back to the rules.")

    @Argument(help: "The query, for example \"120bpm dark techno in A minor\".")
    var query: String

    @Flag(help: "Print the filters as JSON.")
    var json = false

    @Option(help: "auto (the configured LLM, falling back to rules), rules or llm.")
    var parser: QueryParser.Strategy = .auto

    func run() async throws {
        let configuration = try loadConfiguration(requirements: [])
        bootstrapLogging(level: max(configuration.logLevel, .warning), json: false)
        let llm: QueryParser.LLM?
        do {
            llm = parser == .rules ? nil : try configuration.makeLLM()
        } catch {
            throw CommandFailure.usage(error.description)
        }
        let queryParser = QueryParser(llm: llm, logger: Logger(label: "musicforge.parse"))
        let filters: Filters
        do {
            filters = try await queryParser.parse(query, strategy: parser)
        } catch {
            switch error {
            case .emptyQuery, .queryTooLong, .llmNotConfigured: throw CommandFailure.usage(error.message)
            case .llmFailed: throw CommandFailure.work(error.message)
            }
        }
        if json {
            print(try JSONOutput.text(filters))
        } else {
            print(filters.readableDescription)
        }
    }
}

extension QueryParser.Strategy: ExpressibleByArgument {}

/// `musicforge bench-parse FILE`: times the rule parser over the queries of a JSON-lines file (each
/// line an object with a `q` field), for `scripts/bench-parse`. Not for people, so not listed.
struct BenchParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-parse", shouldDisplay: false)

    @Argument var file: String
    @Option var rounds: Int = 200

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure.usage("\(file) cannot be read.") }
        let queries = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line -> String? in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["q"] as? String
        }
        guard !queries.isEmpty else { throw CommandFailure.usage("\(file) has no queries.") }
        let report = ParserBenchmark.report(queries: queries, rounds: rounds)
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}
