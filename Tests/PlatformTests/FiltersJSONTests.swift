import Core
import Foundation
import MusicTheory
import QueryParsing
import Testing

@testable import Platform

/// The hand-written body of `POST /v1/parse` against the `JSONEncoder` the generated server uses.
@Suite struct FiltersJSONTests {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func encoded(_ filters: Filters) throws -> String {
        String(decoding: try encoder.encode(filters), as: UTF8.self)
    }

    /// Every query of the rule parser's table, as the parser reads it.
    @Test func matchesTheEncoderOnTheQueryTable() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../QueryParsingTests/Resources/queries.jsonl").standardized
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines.count > 100)
        let rules = RuleParser()
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let query = try #require(object["q"] as? String)
            let filters = rules.read(query).filters
            #expect(FiltersJSON.encode(filters) == (try Self.encoded(filters)), "\(query)")
        }
    }

    /// Every field set, numbers that are not whole, and strings that need escaping.
    @Test(arguments: [
        Filters(),
        Filters(
            bpm: NumericRange(min: 0.1 + 0.2, max: 1e-7, target: 123_456.789),
            key: KeyFilter(MusicalKey(tonic: PitchClass(6), mode: .major)),
            harmonic: true, energy: NumericRange(min: 0, max: 1), genres: ["drum & bass", "lo-fi"], moods: ["\"quoted\"", "back\\slash"],
            instruments: ["a/b", "tab\there", "new\nline", "\u{01}\u{08}\u{0C}\u{1F}\u{7F}"], vocals: .vocal,
            duration: DurationRange(minSeconds: 90.5, maxSeconds: 1e16), keywords: ["é", "日本", "😀", "\r"], exclude: [""],
            parser: .llm, confidence: 0.123456789012345, promptVersion: "filters-v3", fallbackReason: "LLM said \"no\""),
        Filters(bpm: NumericRange(target: -3), duration: DurationRange(maxSeconds: 180), parser: .rules, confidence: 1),
    ])
    func matchesTheEncoderOnEveryField(filters: Filters) throws {
        #expect(FiltersJSON.encode(filters) == (try Self.encoded(filters)))
    }
}
