import AnalysisWorkers
import Foundation
import MusicTheory
import Synthesis
import TestSupport
import Testing

@testable import AudioAnalysis

/// The issue's accuracy bar on varied, realistic material (layered drums, bass, chords, a vocal-like
/// lead; every genre; all 24 keys twice; some with noise), through the real worker pool and three
/// formats: BPM within 4 % on 95 % of tracks allowing half/double and on 80 % exactly; the exact key on
/// 75 %, a MIREX weighted score of 0.8.
@Suite struct AccuracyTests {
    static let trackCount = 48

    /// The corpus, rendered and encoded once for the suite.
    static let corpus = Task { () throws -> (specs: [TrackSpec], paths: [String]) in
        let folder = try Fixtures.folder("accuracy")
        var generator = SpecGenerator(seed: 2026, durationSeconds: 20)
        let specs = (0..<trackCount).map { index in
            var spec = generator.next(index: index)
            // Every third track with noise at a quarter of the music's level.
            if index % 3 == 2 { spec.noiseLevel = 0.25 }
            return spec
        }
        let formats: [AudioFormat] = [.mp3, .opusOgg, .flac]
        // Two at a time (the machine's cores), each rendered off the cooperative pool.
        let paths = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var paths = [String](repeating: "", count: specs.count)
            var next = 0
            func submit() {
                guard next < specs.count else { return }
                let index = next
                let spec = specs[index]
                next += 1
                group.addTask {
                    let samples = try await Fixtures.offPool { TrackRenderer(sampleRate: Fixtures.sampleRate).render(spec) }
                    return (
                        index,
                        try await Fixtures.encode(samples, as: formats[index % 3], in: folder, name: "track-\(index)")
                    )
                }
            }
            submit()
            submit()
            for try await (index, path) in group {
                paths[index] = path
                submit()
            }
            return paths
        }
        return (specs, paths)
    }

    @Test func corpusMeetsTheAccuracyBar() async throws {
        let (specs, paths) = try await Self.corpus.value
        let pool = AnalysisPool(
            configuration: AnalysisPoolConfiguration(executable: BuiltProducts.musicforge, workers: 2, queueCapacity: Self.trackCount))
        defer { pool.shutdown() }
        let analyses = try await withThrowingTaskGroup(of: (Int, Analysis?).self) { group in
            for (index, path) in paths.enumerated() {
                group.addTask { (index, try await pool.analyze(path: path).analysis) }
            }
            var analyses = [Analysis?](repeating: nil, count: paths.count)
            for try await (index, analysis) in group { analyses[index] = analysis }
            return analyses
        }

        var exact = 0
        var octave = 0
        var keyExact = 0
        var mirex = 0.0
        var misses: [String] = []
        for (spec, analysis) in zip(specs, analyses) {
            let truthKey = MusicalKey(tonic: PitchClass(spec.tonic), mode: spec.mode == .major ? .major : .minor)
            let error = analysis?.bpm.map { TempoError.of($0, truth: spec.bpm) }
            if let error, error.exact <= 0.04 { exact += 1 }
            if let error, error.withinOctave <= 0.04 { octave += 1 }
            let key = analysis?.key?.musicalKey
            if key == truthKey { keyExact += 1 }
            mirex += key?.mirexScore(against: truthKey) ?? 0
            if error.map({ $0.exact > 0.04 }) ?? true || key != truthKey {
                misses.append(
                    "\(spec.genre) \(spec.bpm) \(truthKey) → \(analysis?.bpm ?? 0) \(key.map(String.init(describing:)) ?? "none")")
            }
        }
        let count = Double(specs.count)
        let summary =
            "BPM exact \(Double(exact) / count), half/double \(Double(octave) / count), key exact \(Double(keyExact) / count), MIREX \(mirex / count); misses: \(misses.joined(separator: "; "))"
        #expect(Double(octave) / count >= 0.95, "\(summary)")
        #expect(Double(exact) / count >= 0.80, "\(summary)")
        #expect(Double(keyExact) / count >= 0.75, "\(summary)")
        #expect(mirex / count >= 0.8, "\(summary)")
    }

    /// The default profile is chosen on real recordings (`RealRecordingTempoKeyTests`); on synthetic music,
    /// whose chords follow textbook weights, Krumhansl-Kessler scores best, and the default must stay close.
    @Test func theDefaultProfileStaysCloseToTheBestOnSyntheticMusic() async throws {
        let (specs, paths) = try await Self.corpus.value
        let planner = FFTPlanner()
        let spectrogram = Spectrogram(
            sampleRate: AudioDecoder.analysisRate, frameSize: AudioAnalyzer.pitchFrame, hopSize: AudioAnalyzer.pitchHop,
            planner: planner)
        var mirex: [KeyProfile: Double] = [:]
        for (spec, path) in zip(specs, paths) {
            let samples = try await Fixtures.offPool { try AudioDecoder().decode(path: path).mono }
            let chroma = Chromagram(samples: samples, spectrogram: spectrogram)
            let truth = MusicalKey(tonic: PitchClass(spec.tonic), mode: spec.mode == .major ? .major : .minor)
            for profile in KeyProfile.allCases {
                mirex[profile, default: 0] += KeyEstimator(profile: profile).estimate(chroma)?.key.mirexScore(against: truth) ?? 0
            }
        }
        let count = Double(specs.count)
        let best = (mirex.values.max() ?? 0) / count
        let chosen = (mirex[KeyEstimator().profile] ?? 0) / count
        #expect(chosen >= best - 0.05, "MIREX scores by profile: \(mirex.mapValues { $0 / count })")
    }
}
