import App
import ArgumentParser
import AudioAnalysis
import Catalogs
import Foundation
import Logging
import Platform
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

    @Flag(help: "Print DESIGN.md's search result JSON.")
    var json = false

    @Option(help: .hidden)
    var deadlineSeconds: Double = 30

    func run() async throws {
        let configuration = try loadConfiguration(requirements: [])
        bootstrapLogging(level: max(configuration.logLevel, .warning), json: false)
        guard (1...SearchPipeline.maxLimit).contains(limit) else { throw CommandFailure.usage("--limit must be from 1 to 100.") }
        let requested = try sources.map { text in
            guard let parsed = AppConfiguration.sources(parsing: text) else {
                throw CommandFailure.usage("--sources takes a comma-separated list of local, jamendo, youtube, openverse.")
            }
            return parsed
        }
        let folder = library ?? configuration.libraryPath
        if let folder {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandFailure.usage("The library \(folder) is not a folder.")
            }
        }
        let chosen = requested ?? configuration.defaultSources(hasLibrary: folder != nil)
        guard !chosen.isEmpty else {
            throw CommandFailure.usage("No catalogue to search: give --library DIR (or MUSICFORGE_LIBRARY), or configure a provider.")
        }
        if chosen.contains(.local) && folder == nil {
            throw CommandFailure.usage("--sources local needs --library DIR or MUSICFORGE_LIBRARY.")
        }

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
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(response), as: UTF8.self))
        } else {
            print(Self.table(response))
        }
    }

    /// A readable table: rank, score, BPM, key, energy, title, and why.
    static func table(_ response: SearchResponse) -> String {
        var lines: [String] = []
        let header = ["#", "score", "bpm", "key", "energy", "source", "title", "why"]
        var rows = [header]
        for item in response.results {
            let analysis = item.analysis
            rows.append([
                String(item.rank), String(format: "%.3f", item.score), analysis?.bpm.map { String(format: "%.1f", $0) } ?? "–",
                analysis?.key?.camelot ?? "–", analysis.map { String(format: "%.2f", $0.energy) } ?? "–", item.track.source.rawValue,
                String(item.track.title.prefix(40)), item.pending ? "(analysis pending)" : item.explanation,
            ])
        }
        let widths = (0..<header.count - 1).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let padded = row.enumerated().map { index, cell in
                index < widths.count ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) : cell
            }
            lines.append(padded.joined(separator: "  "))
        }
        let sources = response.sources.filter { $0.status != .skipped }.map { outcome in
            outcome.status == .ok ? "\(outcome.name.rawValue) \(outcome.count)" : "\(outcome.name.rawValue) error: \(outcome.error ?? "")"
        }
        lines.append("")
        lines.append(
            "\(response.results.count) results · sources: \(sources.joined(separator: ", ")) · \(Int(response.timingMS["total"] ?? 0)) ms")
        return lines.joined(separator: "\n")
    }
}
