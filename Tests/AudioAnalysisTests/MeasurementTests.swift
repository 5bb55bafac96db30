import AudioAnalysis
import Foundation
import MusicTheory
import Testing

/// Loudness, energy, waveform and the edge cases of analysis: silence, noise, very short clips.
@Suite struct MeasurementTests {
    @Test(arguments: [-10.0, -20.0, -30.0])
    func loudnessOfASineFollowsBS1770(dbfs: Double) async throws {
        // BS.1770: a 1 kHz sine reads its RMS level in dBFS, plus the K-weighting's +0.69 dB at 1 kHz,
        // minus 0.691: so a sine of peak level L dBFS reads L - 3.01 LUFS on one channel.
        let folder = try Fixtures.folder("loudness")
        let amplitude = pow(10, dbfs / 20)
        let path = try await Fixtures.encode(
            Fixtures.sine(frequency: 997, seconds: 5, amplitude: amplitude), as: .wav, in: folder)
        let analysis = try await Fixtures.analyze(path)
        #expect(abs(analysis.loudnessLufs - (dbfs - 3.01)) < 0.2, "\(analysis.loudnessLufs) LUFS")
    }

    @Test func stereoCountsBothChannels() async throws {
        // The same sine on both channels measures 3 dB louder than on one: EBU R128 sums channel power.
        let folder = try Fixtures.folder("loudness-stereo")
        let samples = Fixtures.sine(frequency: 997, seconds: 5, amplitude: 0.1)
        let mono = try await Fixtures.analyze(try await Fixtures.encode(samples, as: .wav, in: folder, name: "mono"))
        let stereo = try await Fixtures.analyze(
            try await Fixtures.encode(samples, as: .flac, in: folder, name: "stereo", channels: 2))
        #expect(abs(stereo.loudnessLufs - mono.loudnessLufs - 3.01) < 0.2)
    }

    @Test func silenceHasNoTempoNoKeyAndTheLoudnessFloor() async throws {
        let folder = try Fixtures.folder("silence")
        let path = try await Fixtures.encode([Float](repeating: 0, count: 44_100 * 8), as: .flac, in: folder)
        let analysis = try await Fixtures.analyze(path)
        #expect(analysis.bpm == nil)
        #expect(analysis.bpmConfidence == 0)
        #expect(analysis.key == nil)
        #expect(analysis.loudnessLufs == -70)
        #expect(analysis.energy < 0.1)
        #expect(analysis.waveform.allSatisfy { $0 == 0 })
        #expect(abs(analysis.durationSeconds - 8) < 0.05)
    }

    @Test func whiteNoiseHasNoConfidentTempoOrKey() async throws {
        let folder = try Fixtures.folder("noise")
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<(44_100 * 10)).map { _ in Float.random(in: -0.3...0.3, using: &generator) }
        let analysis = try await Fixtures.analyze(try await Fixtures.encode(noise, as: .flac, in: folder))
        #expect(analysis.bpmConfidence < 0.3, "\(analysis.bpmConfidence)")
        #expect((analysis.key?.confidence ?? 0) < 0.3, "\(String(describing: analysis.key))")
    }

    @Test(arguments: [0.05, 0.5, 2.0])
    func veryShortClipsGiveDurationAndNoTempo(seconds: Double) async throws {
        let folder = try Fixtures.folder("short")
        let path = try await Fixtures.encode(
            Fixtures.sine(frequency: 440, seconds: seconds, amplitude: 0.3), as: .mp3, in: folder)
        let analysis = try await Fixtures.analyze(path)
        #expect(analysis.bpm == nil)
        #expect(abs(analysis.durationSeconds - seconds) < 0.06)
        #expect(analysis.waveform.count == 100)
    }

    @Test func waveformHasAFixedNumberOfPeaksThatFollowTheSignal() async throws {
        let folder = try Fixtures.folder("waveform")
        // Quiet first half, loud second half.
        let samples =
            Fixtures.sine(frequency: 220, seconds: 4, amplitude: 0.1)
            + Fixtures.sine(frequency: 220, seconds: 4, amplitude: 0.8)
        let analysis = try await Fixtures.analyze(try await Fixtures.encode(samples, as: .flac, in: folder))
        #expect(analysis.waveform.count == 100)
        #expect(analysis.waveform.prefix(45).allSatisfy { abs($0 - 0.1) < 0.02 })
        #expect(analysis.waveform.suffix(45).allSatisfy { abs($0 - 0.8) < 0.05 })
    }

    @Test func louderBusierBrighterTracksHaveMoreEnergy() async throws {
        let folder = try Fixtures.folder("energy")
        let calm = Fixtures.sine(frequency: 220, seconds: 10, amplitude: 0.05)
        let busy = try await Fixtures.track(.techno, bpm: 130, tonic: 9, mode: .minor, seconds: 10)
        let calmAnalysis = try await Fixtures.analyze(try await Fixtures.encode(calm, as: .flac, in: folder, name: "calm"))
        let busyAnalysis = try await Fixtures.analyze(try await Fixtures.encode(busy, as: .flac, in: folder, name: "busy"))
        #expect(calmAnalysis.energy < 0.35)
        #expect(busyAnalysis.energy > 0.6)
        #expect((0...1).contains(busyAnalysis.energy))
    }

    @Test func analysisJSONFollowsTheContract() throws {
        let analysis = Analysis(
            durationSeconds: 30, bpm: nil, bpmConfidence: 0, bpmAlternatives: [],
            key: KeyDescription(MusicalKey(tonic: PitchClass(9), mode: .minor), confidence: 0.7), energy: 0.5,
            loudnessLufs: -9, waveform: [0.5])
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(analysis)) as? [String: Any]
        let json = try #require(object)
        #expect(json["bpm"] is NSNull)
        #expect(
            Set(json.keys).isSuperset(of: [
                "duration_seconds", "bpm", "bpm_confidence", "key", "energy", "loudness_lufs", "waveform", "analysis_version",
            ]))
        let key = try #require(json["key"] as? [String: Any])
        #expect(key["tonic"] as? String == "A")
        #expect(key["camelot"] as? String == "8A")
        #expect(key["open_key"] as? String == "1m")
    }
}
