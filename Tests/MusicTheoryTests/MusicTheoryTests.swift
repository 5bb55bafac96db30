import MusicTheory
import Testing

@Suite struct PitchClassTests {
    @Test(arguments: [
        ("C", 0), ("c", 0), ("C#", 1), ("Db", 1), ("D♭", 1), ("F♯", 6), ("Gb", 6), ("E#", 5), ("Cb", 11),
        ("Bb", 10), ("bb", 10), ("A", 9), (" G ", 7),
    ])
    func parsesEverySpelling(name: String, value: Int) {
        #expect(PitchClass(name: name)?.rawValue == value)
    }

    @Test(arguments: ["", "H", "C##x", "1", "Cm"])
    func refusesWhatIsNotANote(name: String) {
        #expect(PitchClass(name: name) == nil)
    }

    @Test func spellsTheWayTheContractDoes() {
        #expect(PitchClass.allCases.map(\.name) == ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"])
    }
}

@Suite struct CamelotTests {
    /// The whole wheel, from any DJ software's chart.
    static let wheel: [(String, String, String)] = [
        ("C", "major", "8B"), ("A", "minor", "8A"), ("G", "major", "9B"), ("E", "minor", "9A"),
        ("D", "major", "10B"), ("B", "minor", "10A"), ("A", "major", "11B"), ("F#", "minor", "11A"),
        ("E", "major", "12B"), ("C#", "minor", "12A"), ("B", "major", "1B"), ("Ab", "minor", "1A"),
        ("F#", "major", "2B"), ("Eb", "minor", "2A"), ("C#", "major", "3B"), ("Bb", "minor", "3A"),
        ("Ab", "major", "4B"), ("F", "minor", "4A"), ("Eb", "major", "5B"), ("C", "minor", "5A"),
        ("Bb", "major", "6B"), ("G", "minor", "6A"), ("F", "major", "7B"), ("D", "minor", "7A"),
    ]

    @Test func everyKeyHasItsCamelotCodeAndBack() throws {
        for (tonic, mode, code) in Self.wheel {
            let key = MusicalKey(tonic: try #require(PitchClass(name: tonic)), mode: try #require(Mode(rawValue: mode)))
            #expect(key.camelot.description == code)
            #expect(CamelotCode(code)?.key == key)
        }
        #expect(Set(Self.wheel.map(\.2)).count == 24)
    }

    @Test func openKeyIsCamelotShiftedBySeven() throws {
        #expect(MusicalKey(tonic: PitchClass(0), mode: .major).openKey.description == "1d")
        #expect(MusicalKey(tonic: PitchClass(9), mode: .minor).openKey.description == "1m")
        #expect(MusicalKey(tonic: PitchClass(11), mode: .major).openKey.description == "6d")
        for key in MusicalKey.all {
            #expect(OpenKeyCode(key.openKey.description)?.key == key)
        }
    }

    @Test(arguments: ["", "0A", "13B", "8C", "A8", "8"])
    func refusesCodesOffTheWheel(code: String) {
        #expect(CamelotCode(code) == nil)
    }

    @Test func harmonicNeighboursAreTheSameKeyOneStepAndTheRelative() throws {
        let aMinor = try #require(CamelotCode("8A")).key
        #expect(aMinor.relation(to: try #require(CamelotCode("8A")).key) == .same)
        #expect(aMinor.relation(to: try #require(CamelotCode("9A")).key) == .adjacent)
        #expect(aMinor.relation(to: try #require(CamelotCode("7A")).key) == .adjacent)
        #expect(aMinor.relation(to: try #require(CamelotCode("8B")).key) == .relative)
        #expect(aMinor.relation(to: MusicalKey(tonic: PitchClass(9), mode: .major)) == .parallel)
        #expect(aMinor.relation(to: try #require(CamelotCode("2A")).key) == .distant)
        // 12 and 1 are neighbours: the wheel wraps.
        #expect(try #require(CamelotCode("12B")).key.isHarmonicallyCompatible(with: try #require(CamelotCode("1B")).key))
        #expect(!aMinor.isHarmonicallyCompatible(with: try #require(CamelotCode("10A")).key))
    }

    @Test func wheelDistanceGrowsAroundTheWheel() throws {
        let start = try #require(CamelotCode("8A")).key
        let distances = (0...6).map { step in start.wheelDistance(to: try! #require(CamelotCode("\((7 + step) % 12 + 1)A")).key) }
        #expect(distances == distances.sorted())
        #expect(distances.first == 0)
        #expect(distances.last == 1)
    }

    @Test func mirexScoresFifthsRelativesAndParallels() throws {
        let truth = MusicalKey(tonic: PitchClass(9), mode: .minor)
        #expect(truth.mirexScore(against: truth) == 1)
        #expect(MusicalKey(tonic: PitchClass(4), mode: .minor).mirexScore(against: truth) == 0.5)
        #expect(MusicalKey(tonic: PitchClass(2), mode: .minor).mirexScore(against: truth) == 0.5)
        #expect(MusicalKey(tonic: PitchClass(0), mode: .major).mirexScore(against: truth) == 0.3)
        #expect(MusicalKey(tonic: PitchClass(9), mode: .major).mirexScore(against: truth) == 0.2)
        #expect(MusicalKey(tonic: PitchClass(3), mode: .minor).mirexScore(against: truth) == 0)
    }
}
