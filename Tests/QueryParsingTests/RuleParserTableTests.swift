import Core
import Foundation
import MusicTheory
import Testing

@testable import QueryParsing

/// One line of `Resources/queries.jsonl`: a query and the filters a person would expect from it.
///
/// Fields given are compared exactly. Lists, `key`, `vocals`, `duration` and `harmonic` that are not
/// given must be empty, null or false; `bpm` and `energy` are only compared when given (a genre sets
/// a default BPM range, moods an energy hint; both have their own tests). Ranges are `[min, max]` or
/// `[min, max, target]`, with null for an open end.
struct QueryExpectation: CustomTestStringConvertible, Sendable {
    let query: String
    let fields: [String: JSONValue]

    var testDescription: String { query }

    /// Every line of the table. The benchmark (`scripts/bench-parse`) reads the same file.
    static let all: [QueryExpectation] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/queries.jsonl")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(line.utf8)),
                case .string(let query) = object["q"]
            else { return nil }
            return QueryExpectation(query: query, fields: object.filter { $0.key != "q" })
        }
    }()
}

/// Reading expectations with the module's own JSON value.
extension JSONValue {
    var strings: [String]? {
        guard case .array(let items) = self else { return nil }
        return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }

    var bounds: [Double?]? {
        guard case .array(let items) = self else { return nil }
        return items.map { if case .number(let value) = $0 { value } else { nil } }
    }
}

@Suite struct RuleParserTableTests {
    @Test func theTableIsLargeAndVaried() {
        #expect(QueryExpectation.all.count >= 150)
        #expect(Set(QueryExpectation.all.map(\.query)).count == QueryExpectation.all.count, "every query once")
    }

    @Test(arguments: QueryExpectation.all)
    func parsesAsAPersonWouldExpect(_ expectation: QueryExpectation) throws {
        let filters = RuleParser().parse(expectation.query)
        let fields = expectation.fields
        #expect(filters.parser == .rules)

        for (name, path) in [
            ("genres", \Filters.genres), ("moods", \Filters.moods), ("instruments", \Filters.instruments),
            ("keywords", \Filters.keywords), ("exclude", \Filters.exclude),
        ] as [(String, KeyPath<Filters, [String]>)] {
            #expect(filters[keyPath: path] == (fields[name]?.strings ?? []), "\(name)")
        }

        if case .string(let keyText) = fields["key"] {
            let parts = keyText.split(separator: " ")
            let expected = MusicalKey(
                tonic: try #require(PitchClass(name: String(parts[0]))), mode: try #require(Mode(rawValue: String(parts[1]))))
            #expect(filters.key?.key == expected, "key")
        } else {
            #expect(filters.key == nil, "key")
        }
        #expect(filters.harmonic == (fields["harmonic"] == .bool(true)), "harmonic")

        if case .string(let vocals) = fields["vocals"] {
            #expect(filters.vocals?.rawValue == vocals, "vocals")
        } else {
            #expect(filters.vocals == nil, "vocals")
        }

        if let duration = fields["duration"]?.bounds {
            #expect(filters.duration?.minSeconds == duration[0], "duration min")
            #expect(filters.duration?.maxSeconds == duration[1], "duration max")
        } else {
            #expect(filters.duration == nil, "duration")
        }

        for (name, range) in [("bpm", filters.bpm), ("energy", filters.energy)] {
            guard let given = fields[name] else { continue }
            guard let bounds = given.bounds else {
                #expect(range == nil, "\(name) should be null")
                continue
            }
            #expect(range?.min == bounds[0], "\(name) min")
            #expect(range?.max == bounds[1], "\(name) max")
            if bounds.count > 2 { #expect(range?.target == bounds[2], "\(name) target") }
        }
        #expect((0...1).contains(filters.confidence))
    }
}
