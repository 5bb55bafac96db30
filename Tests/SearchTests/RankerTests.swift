import AudioAnalysis
import Catalogs
import Core
import MusicTheory
import QueryParsing
import Testing

@testable import Search

@Suite struct RankerTests {
    static func candidate(_ id: String, title: String = "Track", tags: [String] = [], duration: Double? = nil) -> Candidate {
        Candidate(source: .local, externalID: id, title: title, durationSeconds: duration, audio: .file(path: "/x/" + id), tags: tags)
    }

    static func analysis(bpm: Double?, key: String? = nil, energy: Double = 0.5) -> Analysis {
        let musicalKey = key.flatMap { CamelotCode($0)?.key }
        return Analysis(
            durationSeconds: 200, bpm: bpm, bpmConfidence: 0.9, bpmAlternatives: [],
            key: musicalKey.map { KeyDescription($0, confidence: 0.8) },
            energy: energy, loudnessLufs: -9, waveform: [])
    }

    static func filters(_ query: String) -> Filters { RuleParser().parse(query) }

    @Test func halfAndDoubleTempoCountAlmostAsMuchAsTheTempo() {
        let wanted = Self.filters("128 bpm")
        let exact = Ranker.bpmDistance(128, wanted.bpm)
        let half = Ranker.bpmDistance(64, wanted.bpm)
        let double = Ranker.bpmDistance(256, wanted.bpm)
        let off = Ranker.bpmDistance(100, wanted.bpm)
        #expect(exact.distance == 0)
        #expect(half.distance == 0.1 && half.octave == ", double time")
        #expect(double.distance == 0.1 && double.octave == ", half time")
        #expect(off.distance == 1)
        #expect(Ranker.bpmDistance(131, wanted.bpm).distance > 0 && Ranker.bpmDistance(131, wanted.bpm).distance < 0.2)
        #expect(Ranker.bpmDistance(nil, wanted.bpm).distance == 1)
        #expect(Ranker.bpmDistance(90, nil).distance == 0, "no tempo asked: no distance")
    }

    @Test func keysAreJudgedOnTheCamelotWheel() throws {
        let a = try #require(CamelotCode("8A")?.key)
        func distance(_ code: String, harmonic: Bool = false) -> Double {
            Ranker.keyDistance(CamelotCode(code)?.key, a, harmonic: harmonic).distance
        }
        #expect(distance("8A") == 0)
        #expect(distance("9A") == 0.3 && distance("7A") == 0.3, "neighbours")
        #expect(distance("8B") == 0.3, "the relative key")
        #expect(distance("9A", harmonic: true) == 0.1 && distance("8B", harmonic: true) == 0.1, "harmonic widens what is close")
        #expect(distance("11B") >= 0.6, "the parallel key (A major) is further")
        #expect(distance("2A") >= 0.7, "the far side of the wheel")
        #expect(distance("2A") > distance("10A"))
    }

    @Test func tracksRankByTheirDistanceWithAnExplanation() throws {
        let filters = Self.filters("124 bpm techno in A minor")
        let ranked = Ranker().rank(
            [
                (Self.candidate("far", tags: ["techno"]), Self.analysis(bpm: 100, key: "2B")),
                (Self.candidate("best", tags: ["techno"]), Self.analysis(bpm: 124.1, key: "8A", energy: 0.82)),
                (Self.candidate("half", tags: ["techno"]), Self.analysis(bpm: 62, key: "8A")),
                (Self.candidate("neighbour", tags: ["house"]), Self.analysis(bpm: 124, key: "9A")),
            ], for: filters)
        #expect(ranked.map(\.candidate.externalID) == ["best", "half", "neighbour", "far"])
        let best = try #require(ranked.first)
        #expect(best.explanation == "124.1 BPM (wanted 124) · 8A, same key · energy 0.82 · matches techno")
        #expect(best.distance.bpm < 0.05 && best.distance.key == 0 && best.distance.text == 0)
        #expect(ranked.allSatisfy { (0...1).contains($0.score) })
        #expect(ranked[1].explanation.hasPrefix("62.0 BPM, double time (wanted 124)"))
    }

    @Test func exclusionsAndDurationsRemoveTracks() {
        let ranked = Ranker().rank(
            [
                (Self.candidate("vocal", title: "Song With Guitar", tags: ["house"]), Self.analysis(bpm: 122)),
                (Self.candidate("long", tags: ["house"], duration: 600), nil),
                (Self.candidate("keep", tags: ["house"], duration: 150), Self.analysis(bpm: 122)),
            ], for: Self.filters("house without guitar under 5 minutes"))
        #expect(ranked.map(\.candidate.externalID) == ["keep"])
    }

    @Test func tiesBreakByIDSoTheOrderIsStable() {
        let items = ["c", "a", "b"].map { (Self.candidate($0, tags: ["ambient"]), Self.analysis(bpm: 80)) }
        let first = Ranker().rank(items, for: Self.filters("ambient")).map(\.candidate.id)
        let again = Ranker().rank(items.reversed(), for: Self.filters("ambient")).map(\.candidate.id)
        #expect(first == ["local:a", "local:b", "local:c"])
        #expect(again == first)
    }

    @Test func weightsAreConfigurable() {
        #expect(RankingWeights(parsing: "bpm=0.5, key=0.5,energy=0,text=0") == RankingWeights(bpm: 0.5, key: 0.5, energy: 0, text: 0))
        #expect(RankingWeights(parsing: "key=1") == RankingWeights(bpm: 0.35, key: 1, energy: 0.15, text: 0.25))
        #expect(RankingWeights(parsing: "tempo=1") == nil)
        #expect(RankingWeights(parsing: "bpm=-1") == nil)
        // Only tempo counts: the far key no longer matters.
        let tempoOnly = Ranker(weights: RankingWeights(bpm: 1, key: 0, energy: 0, text: 0))
        let ranked = tempoOnly.rank(
            [(Self.candidate("b"), Self.analysis(bpm: 128, key: "2B")), (Self.candidate("a"), Self.analysis(bpm: 127, key: "8A"))],
            for: Self.filters("128 bpm in A minor"))
        #expect(ranked.first?.candidate.externalID == "b")
    }
}
