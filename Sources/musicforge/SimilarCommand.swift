import AnalysisWorkers
import App
import ArgumentParser
import AudioAnalysis
import Catalogs
import Core
import Foundation
import Logging
import Search

/// `musicforge similar PATH_OR_URL [--library DIR] [--limit N] [--json]`: the library's tracks that
/// sound like the reference, ranked by the distance of their sound vectors together with BPM, key and
/// energy, in one process. Analyses are kept in the library's index, as `search` keeps them.
struct SimilarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar", abstract: "Tracks of a library that sound like a file or URL (no Redis or PostgreSQL).")

    @Argument(help: "The reference: an audio file or an http(s) URL.")
    var reference: String

    @Option(help: "A folder of audio files (default: MUSICFORGE_LIBRARY).")
    var library: String?

    @Option(help: "How many results (1 to 100).")
    var limit: Int = 20

    @Flag(help: "Print the similar result as JSON (openapi.yaml's SimilarResponse).")
    var json = false

    func run() async throws {
        let configuration = try loadConfiguration(requirements: [])
        bootstrapLogging(level: max(configuration.logLevel, .warning), json: false)
        guard (1...SearchPipeline.maxLimit).contains(limit) else { throw CommandFailure.usage("--limit must be from 1 to 100.") }
        guard let folder = library ?? configuration.libraryPath else {
            throw CommandFailure.usage("similar needs --library DIR (or MUSICFORGE_LIBRARY): the tracks to compare with.")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure.usage("The library \(folder) is not a folder.")
        }
        let isURL = reference.hasPrefix("http://") || reference.hasPrefix("https://")
        if !isURL {
            guard FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw CommandFailure.usage("The reference \(reference) is not a file.")
            }
        }
        warnWhenTagsAreOff()
        let stack = SearchStack(
            configuration: configuration, stores: .inProcess, llm: nil, libraryPath: folder, catalogues: .libraryOnly,
            candidatesPerSource: LocalLibraryProvider.defaultMaxCandidates, logger: Logger(label: "musicforge.similar"))
        let pool = stack.pool
        defer { pool.shutdown() }
        let downloader = stack.pipeline.analyzer.downloader

        let analysis: Analysis
        do {
            let report = isURL ? try await pool.analyze(bytes: try await downloader.download(reference)) : try await pool.analyze(path: reference)
            guard let measured = report.analysis else { throw CommandFailure.work("The reference could not be analysed.") }
            analysis = measured
        } catch let error as DownloadError {
            throw CommandFailure.work("The reference could not be downloaded: \(error.description)")
        } catch let error as AnalysisError {
            throw CommandFailure.work("The reference could not be analysed: \(error.description)")
        }

        let pipeline = stack.pipeline
        let response = await pipeline.search(
            filters: Filters.similar(to: analysis, tags: []),
            request: .init(query: "", limit: limit, sources: [.local], deadline: .seconds(120)),
            excluded: LocalLibrary.id(of: reference, in: folder).map { [$0] } ?? [], like: analysis)
        if json {
            let answer = SimilarResponse(queryTrack: .init(track: nil, analysis: analysis), results: response.results, timingMS: response.timingMS)
            print(try JSONOutput.text(answer))
        } else {
            print(SearchTable.text(response))
        }
    }
}
