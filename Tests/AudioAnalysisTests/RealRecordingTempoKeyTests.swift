import Foundation
import MusicTheory
import Testing

@testable import AudioAnalysis

/// Tempo and key on real recordings with an established tempo or key: the hearing set
/// (Tests/Resources/real-music/manifest.json, fetched into `MUSICFORGE_REAL_MUSIC`) and the tempo-and-key
/// set (tempo-key.json, into `MUSICFORGE_TEMPO_KEY_MUSIC`); `scripts/test` fetches both. How each label
/// was obtained is in the manifests and their README. The bars sit above `scripts/bench-analysis`'s best
/// anchors on the same files: RhythmExtractor2013 gets 87.7 % of the 57 tempi exactly (91.2 % allowing
/// half or double), and Essentia's KeyExtractor a MIREX score of 0.839 (its `bgate` profile) on the 18 keys.
@Suite struct RealRecordingTempoKeyTests {
    struct Recording: Sendable {
        var id: String
        var path: String
        var bpm: Double?
        var key: MusicalKey?
    }

    static func recordings() throws -> [Recording] {
        let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources/real-music")
        var recordings: [Recording] = []
        for (manifest, variable) in [("manifest.json", "MUSICFORGE_REAL_MUSIC"), ("tempo-key.json", "MUSICFORGE_TEMPO_KEY_MUSIC")] {
            let folder = try #require(
                ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 },
                "\(variable) is not set: run scripts/fetch-real-music for \(manifest) and point it at the folder (scripts/test does both)")
            let data = try Data(contentsOf: resources.appendingPathComponent(manifest))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            for entry in try #require(object["recordings"] as? [[String: Any]]) {
                let labels = entry["labels"] as? [String: Any] ?? [:]
                let bpm = (labels["bpm"] as? NSNumber)?.doubleValue
                // A key label without a mode ("G", a drone) is not scored.
                let key = (labels["key"] as? String).flatMap(Self.key(named:))
                guard bpm != nil || key != nil else { continue }
                let file = try #require(entry["file"] as? String)
                recordings.append(Recording(id: entry["id"] as? String ?? file, path: folder + "/" + file, bpm: bpm, key: key))
            }
        }
        return recordings
    }

    /// "C# major", "A minor".
    static func key(named name: String) -> MusicalKey? {
        let parts = name.split(separator: " ")
        guard parts.count == 2, let tonic = PitchClass(name: String(parts[0])), let mode = Mode(rawValue: String(parts[1]))
        else { return nil }
        return MusicalKey(tonic: tonic, mode: mode)
    }

    struct Measured: Sendable {
        var recording: Recording
        var bpm: Double?
        /// MIREX score of each profile's key, for a recording with a key.
        var mirex: [KeyProfile: Double]
    }

    /// Every labelled recording decoded once: its tempo through the analyser, its chroma against every profile.
    static let measured = Task { () throws -> [Measured] in
        let labelled = try Self.recordings()
        return try await withThrowingTaskGroup(of: Measured.self) { group in
            for recording in labelled {
                group.addTask {
                    try await Fixtures.offPool {
                        #expect(FileManager.default.fileExists(atPath: recording.path), "\(recording.path) is missing")
                        let audio = try AudioDecoder().decode(path: recording.path)
                        let analysis = AudioAnalyzer().analyze(audio)
                        var mirex: [KeyProfile: Double] = [:]
                        if let truth = recording.key {
                            let spectrogram = Spectrogram(
                                sampleRate: audio.sampleRate, frameSize: AudioAnalyzer.pitchFrame,
                                hopSize: AudioAnalyzer.pitchHop, planner: FFTPlanner())
                            let chroma = Chromagram(samples: audio.mono, spectrogram: spectrogram)
                            for profile in KeyProfile.allCases {
                                mirex[profile] = KeyEstimator(profile: profile).estimate(chroma)?.key.mirexScore(against: truth) ?? 0
                            }
                            // The analysis reports the default profile's key.
                            #expect((analysis.key?.musicalKey?.mirexScore(against: truth) ?? 0) == mirex[KeyEstimator().profile])
                        }
                        return Measured(recording: recording, bpm: analysis.bpm, mirex: mirex)
                    }
                }
            }
            var measured: [Measured] = []
            for try await one in group { measured.append(one) }
            return measured.sorted { $0.recording.id < $1.recording.id }
        }
    }

    @Test func tempoIsExactOnNineInTenAndRightAllowingHalfOrDoubleOnNineteenInTwenty() async throws {
        let timed = try await Self.measured.value.filter { $0.recording.bpm != nil }
        #expect(timed.count >= 50)
        var exact = 0
        var octave = 0
        var misses: [String] = []
        for one in timed {
            let truth = one.recording.bpm!
            let error = one.bpm.map { TempoError.of($0, truth: truth) }
            if let error, error.exact <= 0.04 { exact += 1 } else { misses.append("\(one.recording.id): \(truth) → \(one.bpm ?? 0)") }
            if let error, error.withinOctave <= 0.04 { octave += 1 }
        }
        let count = Double(timed.count)
        let summary = "exact \(exact)/\(timed.count), half/double \(octave)/\(timed.count); misses: \(misses.joined(separator: ", "))"
        #expect(Double(exact) / count >= 0.90, "\(summary)")
        #expect(Double(octave) / count >= 0.95, "\(summary)")
    }

    @Test func keyScoresAboveTheAnchorAndTheDefaultProfileIsWithinOneNearMissOfTheBest() async throws {
        let keyed = try await Self.measured.value.filter { $0.recording.key != nil }
        #expect(keyed.count >= 18)
        var totals: [KeyProfile: Double] = [:]
        for one in keyed {
            for (profile, score) in one.mirex { totals[profile, default: 0] += score / Double(keyed.count) }
        }
        let chosen = totals[KeyEstimator().profile] ?? 0
        let summary = "MIREX by profile: \(totals.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" })"
        #expect(chosen >= 0.85, "\(summary)")
        // Within 0.02 of the best: one recording heard as its parallel key (0.2 instead of 1) costs 0.044.
        #expect(totals.values.allSatisfy { $0 <= chosen + 0.02 }, "\(summary)")
    }
}
