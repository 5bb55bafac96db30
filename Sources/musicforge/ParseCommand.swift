import App
import ArgumentParser
import Core
import Foundation
import Logging
import Platform
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
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(filters), as: UTF8.self))
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
        let parser = RuleParser()
        var checksum = 0
        for query in queries { checksum &+= parser.parse(query).genres.count }  // warm-up
        // Per query: the median of its rounds, so one slow scheduling blip does not count.
        var perQuery: [Double] = []
        let clock = ContinuousClock()
        for query in queries {
            var samples: [Double] = []
            samples.reserveCapacity(rounds)
            for _ in 0..<rounds {
                let start = clock.now
                checksum &+= parser.parse(query).keywords.count
                let elapsed = clock.now - start
                samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
            }
            samples.sort()
            perQuery.append(samples[samples.count / 2])
        }
        perQuery.sort()
        func percentile(_ p: Double) -> Double { perQuery[min(perQuery.count - 1, Int(Double(perQuery.count) * p))] }
        let report: [String: Any] = [
            "queries": queries.count, "rounds": rounds, "median_us": percentile(0.5), "p90_us": percentile(0.9),
            "p99_us": percentile(0.99), "max_us": perQuery.last ?? 0, "checksum": checksum,
        ]
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}
