import AudioAnalysis
import AudioTagging
import Catalogs
import Core
import Testing

@testable import Search

/// Ranking that hears: a query's words against the tags the network heard, moods through tags, tempo,
/// energy and mode, vocals both ways, and closeness in sound to a reference.
@Suite struct HearingRankerTests {
    static func heard(
        _ tags: [(TagMeanings.Kind, String, Double)], bpm: Double? = 120, key: String? = nil, energy: Double = 0.5,
        sound: [Double]? = nil
    ) -> Analysis {
        var analysis = RankerTests.analysis(bpm: bpm, key: key, energy: energy)
        analysis.tags = tags.map { TagDescription(kind: $0.0, name: $0.1, probability: $0.2) }
        analysis.sound = sound ?? [Double](repeating: 0, count: 100)
        return analysis
    }

    static func order(_ query: String, _ items: [(String, Analysis?)], tags: [String: [String]] = [:]) -> [RankedTrack] {
        Ranker().rank(items.map { (RankerTests.candidate($0.0, tags: tags[$0.0] ?? []), $0.1) }, for: RankerTests.filters(query))
    }

    @Test func wordsAreHeardWhenTheMetadataSaysNothing() throws {
        let ranked = Self.order(
            "acoustic guitar",
            [
                ("piano", Self.heard([(.instrument, "piano", 0.9), (.genre, "classical", 0.7)])),
                ("guitar", Self.heard([(.genre, "acoustic", 0.91), (.instrument, "guitar", 0.64)])),
                ("untagged", RankerTests.analysis(bpm: 120)),
            ])
        let best = try #require(ranked.first)
        #expect(best.candidate.externalID == "guitar")
        #expect(best.explanation.contains("sounds acoustic guitar 0.64"), "\(best.explanation)")
        #expect(best.distance.text < ranked[1].distance.text)
    }

    @Test func theExplanationNamesEachHeardWord() throws {
        let ranked = Self.order(
            "acoustic folk with guitar",
            [("a", Self.heard([(.genre, "acoustic", 0.91), (.instrument, "guitar", 0.64), (.genre, "folk", 0.3)]))])
        let explanation = try #require(ranked.first?.explanation)
        #expect(explanation.contains("sounds "), "\(explanation)")
        #expect(explanation.contains("guitar 0.64"), "\(explanation)")
        #expect(explanation.contains("acoustic 0.91"), "\(explanation)")
    }

    @Test func theMetadataCountsMoreThanWhatIsHeard() throws {
        let ranked = Self.order(
            "techno",
            [
                ("heard", Self.heard([(.genre, "techno", 0.95)])),
                ("tagged", Self.heard([])),
            ], tags: ["tagged": ["techno"]])
        #expect(ranked.map(\.candidate.externalID) == ["tagged", "heard"])
        #expect(ranked[0].explanation.contains("matches techno"))
        // A weak guess counts for little.
        let weak = Self.order("techno", [("weak", Self.heard([(.genre, "techno", 0.12)])), ("sure", Self.heard([(.genre, "techno", 0.6)]))])
        #expect(weak.map(\.candidate.externalID) == ["sure", "weak"])
    }

    @Test func instrumentalPushesDownAVoiceAndVocalPullsItUp() {
        let voice = Self.heard([(.vocals, "female", 0.8), (.vocals, "vocal", 0.7)])
        let none = Self.heard([(.vocals, "instrumental", 0.85)])
        let instrumental = Self.order("instrumental", [("voice", voice), ("none", none)])
        #expect(instrumental.map(\.candidate.externalID) == ["none", "voice"])
        #expect(instrumental[0].explanation.contains("sounds instrumental"))
        let vocal = Self.order("with vocals", [("voice", voice), ("none", none)])
        #expect(vocal.map(\.candidate.externalID) == ["voice", "none"])
        let female = Self.order("female vocals", [("male", Self.heard([(.vocals, "male", 0.8)])), ("female", voice)])
        #expect(female.first?.candidate.externalID == "female")
        // A track whose metadata says instrumental counts as one, heard or not.
        let said = Self.order("instrumental", [("said", RankerTests.analysis(bpm: 120)), ("voice", voice)], tags: ["said": ["instrumental"]])
        #expect(said.first?.candidate.externalID == "said")
    }

    @Test func moodsAreHeardThroughTagsTempoEnergyAndMode() {
        let calm = Self.heard([(.mood, "calm", 0.4)], bpm: 72, key: "8B", energy: 0.2)
        let loud = Self.heard([(.genre, "metal", 0.8)], bpm: 170, key: "8A", energy: 0.9)
        #expect(Self.order("calm", [("loud", loud), ("calm", calm)]).map(\.candidate.externalID) == ["calm", "loud"])
        #expect(Self.order("aggressive", [("calm", calm), ("loud", loud)]).map(\.candidate.externalID) == ["loud", "calm"])
        let happy = Self.heard([(.mood, "happy", 0.3)], bpm: 124, key: "8B", energy: 0.7)
        let sad = Self.heard([(.mood, "melancholic", 0.4)], bpm: 70, key: "8A", energy: 0.2)
        #expect(Self.order("happy", [("sad", sad), ("happy", happy)]).map(\.candidate.externalID) == ["happy", "sad"])
        #expect(Self.order("melancholic", [("happy", happy), ("sad", sad)]).map(\.candidate.externalID) == ["sad", "happy"])
        // Without tags a mood is not guessed from the DSP alone: the analysis predates hearing.
        let old = Self.order("calm", [("old", RankerTests.analysis(bpm: 70, energy: 0.1))])
        #expect(old.first?.distance.text == 1)
    }

    @Test func tracksLikeAReferenceRankBySoundAsWellAsTempo() throws {
        var guitar = [Double](repeating: 0.02, count: 100)
        guitar[0] = 0.9
        var techno = [Double](repeating: 0.02, count: 100)
        techno[3] = 0.9
        techno[6] = 0.8
        let reference = Self.heard([(.instrument, "guitar", 0.9)], bpm: 100, sound: guitar)
        let filters = Filters.similar(to: reference, tags: [])
        let ranked = Ranker().rank(
            [
                (RankerTests.candidate("techno"), Self.heard([(.genre, "techno", 0.9)], bpm: 100, sound: techno)),
                (RankerTests.candidate("guitar"), Self.heard([(.instrument, "guitar", 0.8)], bpm: 100, sound: guitar.map { $0 * 0.95 })),
                (RankerTests.candidate("deaf"), RankerTests.analysis(bpm: 100)),
            ], for: filters, like: reference)
        #expect(ranked.map(\.candidate.externalID) == ["guitar", "techno", "deaf"])
        let best = try #require(ranked.first)
        #expect(best.explanation.contains("sounds alike"), "\(best.explanation)")
        #expect(best.explanation.contains("both guitar"), "\(best.explanation)")
        #expect((best.distance.sound ?? 1) < (ranked[1].distance.sound ?? 0))
        #expect(ranked[2].distance.sound == 1, "no sound vector: as far as it gets")
        // Without a reference there is no sound distance at all.
        #expect(Ranker().rank([(RankerTests.candidate("x"), reference)], for: filters).first?.distance.sound == nil)
    }
}
