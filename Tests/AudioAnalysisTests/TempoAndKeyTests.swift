import AudioAnalysis
import Foundation
import MusicTheory
import Synthesis
import Testing

/// Tempo and key on synthesised music with known truth: drum patterns from 60 to 200 BPM, non-integer
/// tempi and swing; progressions and melodies in all 24 keys; noise mixed in; several formats.
@Suite struct TempoAndKeyTests {
    static let tempi: [(Genre, Double, Double)] = [
        (.lofi, 60.0, 0.15), (.ambient, 66.6, 0), (.lofi, 74.25, 0.25), (.hipHop, 86.0, 0.2), (.reggaeton, 93.3, 0),
        (.hipHop, 97.5, 0.33), (.disco, 112.4, 0.1), (.house, 121.0, 0), (.house, 126.0, 0.12),
        (.techno, 128.7, 0), (.techno, 133.0, 0), (.trance, 138.2, 0), (.dubstep, 140.0, 0),
        (.drumAndBass, 164.5, 0), (.drumAndBass, 174.0, 0.05), (.drumAndBass, 186.0, 0), (.techno, 199.0, 0),
    ]

    @Test(arguments: tempi)
    func tempoWithinFourPercentAllowingHalfOrDouble(genre: Genre, bpm: Double, swing: Double) async throws {
        let folder = try Fixtures.folder("tempo")
        let samples = try await Fixtures.track(genre, bpm: bpm, tonic: 2, mode: .minor, seconds: 20, swing: swing)
        let format: AudioFormat = [.mp3, .opusOgg, .flac, .m4a][Int(bpm) % 4]
        let analysis = try await Fixtures.analyze(try await Fixtures.encode(samples, as: format, in: folder))
        let measured = try #require(analysis.bpm)
        #expect(TempoError.of(measured, truth: bpm).withinOctave <= 0.04, "\(genre) \(bpm): measured \(measured)")
        #expect(TempoEstimator.range.contains(measured))
        #expect(analysis.bpmAlternatives.count == 2)
    }

    @Test(arguments: MusicalKey.all)
    func keyOfEveryTonicAndMode(key: MusicalKey) async throws {
        let folder = try Fixtures.folder("key")
        let genres: [Genre] = [.house, .trance, .lofi, .disco, .techno, .hipHop]
        let genre = genres[key.tonic.rawValue % genres.count]
        let samples = try await Fixtures.track(
            genre, bpm: genre.typicalBPM.lowerBound + 3, tonic: key.tonic.rawValue,
            mode: key.mode == .major ? .major : .minor, seconds: 20, seed: UInt64(key.tonic.rawValue * 2 + 1))
        let format: AudioFormat = [.flac, .mp3, .opusWebm, .vorbis][key.tonic.rawValue % 4]
        let analysis = try await Fixtures.analyze(try await Fixtures.encode(samples, as: format, in: folder))
        let measured = try #require(analysis.key?.musicalKey)
        // Exact, or at worst the relative key (same notes) or a fifth.
        #expect(measured.mirexScore(against: key) >= 0.3, "\(key): measured \(measured)")
        #expect(analysis.key?.camelot == measured.camelot.description)
    }

    @Test func oneTrackInEveryFormatGivesTheSameTempoAndKey() async throws {
        let folder = try Fixtures.folder("formats")
        let truth = MusicalKey(tonic: PitchClass(10), mode: .minor)
        let samples = try await Fixtures.track(.house, bpm: 123.5, tonic: 10, mode: .minor, seconds: 16)
        for format in AudioFormat.allCases {
            let analysis = try await Fixtures.analyze(try await Fixtures.encode(samples, as: format, in: folder))
            #expect(TempoError.of(try #require(analysis.bpm), truth: 123.5).exact <= 0.04, "\(format)")
            #expect(analysis.key?.musicalKey == truth, "\(format): \(String(describing: analysis.key))")
        }
    }

    @Test func noiseMixedInKeepsTempoAndKey() async throws {
        let folder = try Fixtures.folder("noisy")
        let truth = MusicalKey(tonic: PitchClass(5), mode: .minor)
        let samples = try await Fixtures.track(.techno, bpm: 131, tonic: 5, mode: .minor, seconds: 20, noise: 0.5)
        let analysis = try await Fixtures.analyze(try await Fixtures.encode(samples, as: .mp3, in: folder))
        #expect(TempoError.of(try #require(analysis.bpm), truth: 131).exact <= 0.04)
        #expect(try #require(analysis.key?.musicalKey).mirexScore(against: truth) >= 0.5)
    }
}

/// Relative tempo errors: exact, and forgiving a factor of two either way.
struct TempoError {
    var exact: Double
    var withinOctave: Double

    static func of(_ measured: Double, truth: Double) -> TempoError {
        let exact = abs(measured - truth) / truth
        let octave = [truth / 2, truth * 2].map { abs(measured - $0) / $0 }.min()!
        return TempoError(exact: exact, withinOctave: min(exact, octave))
    }
}
