import ArgumentParser
import Foundation
import QueryParsing

struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parse", abstract: "Turn a query into filters.")

    enum Parser: String, ExpressibleByArgument, CaseIterable { case auto, rules, llm }

    @Argument(help: "The query, for example \"120bpm dark techno in A minor\".")
    var query: String

    @Flag(help: "Print the filters as JSON.")
    var json = false

    @Option(help: "auto (the configured LLM, falling back to rules), rules or llm.")
    var parser: Parser = .auto

    func run() async throws {
        let filters = RuleParser().parse(query)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(filters), as: UTF8.self))
        } else {
            print(filters.readableDescription)
        }
    }
}
