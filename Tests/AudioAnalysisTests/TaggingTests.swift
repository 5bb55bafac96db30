import Foundation
import Synthesis
import TestSupport
import Testing

@testable import AudioAnalysis
@testable import AudioTagging

/// The tagging network against `scripts/lib/musicnn_reference.py`'s outputs for the same signal
/// (Resources/musicnn-reference.json), and its failure modes.
@Suite struct TaggingTests {
    struct Reference: Decodable {
        struct LogMel: Decodable {
            var frames: [Int]
            var values: [[Float]]
        }
        struct Model: Decodable {
            var per_patch: [[Float]]
            var mean: [Float]
        }
        var samples: Int
        var frames: Int
        var log_mel: LogMel
        var patch_starts: [Int]
        var models: [String: Model]
    }

    static func reference() throws -> Reference {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/musicnn-reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: path))
    }

    /// The reference's test signal, computed as the script computes it (in double, then rounded).
    static func signal(samples count: Int) -> [Float] {
        var state: UInt64 = 1
        return (0..<count).map { n in
            state = (state &* 1_103_515_245 &+ 12_345) % (1 << 31)
            let noise = Double(state) / Double(1 << 31) * 2 - 1
            let t = Double(n) / 16_000
            let pulse = 0.3 * sin(2 * .pi * 110 * t) * (0.5 + 0.5 * sin(2 * .pi * 2 * t))
            let gated = 0.1 * sin(2 * .pi * 1318.5 * t) * Double((n / 4000) % 2)
            return Float(pulse + 0.2 * sin(2 * .pi * 659.25 * t) + gated + 0.05 * noise)
        }
    }

    static func tagger() throws -> AudioTagger { try AudioTagger.load(folder: BuiltProducts.models) }

    @Test func logMelFramesMatchTheReference() throws {
        let reference = try Self.reference()
        let signal = Self.signal(samples: reference.samples)
        #expect(LogMelSpectrogram.frames(samples: signal.count) == reference.frames)
        let frames = LogMelSpectrogram(planner: FFTPlanner()).frames(of: signal, first: 0, count: reference.frames)
        var worst: Float = 0
        for (frame, expected) in zip(reference.log_mel.frames, reference.log_mel.values) {
            for band in 0..<MusicnnModel.bands {
                worst = max(worst, abs(frames[frame * MusicnnModel.bands + band] - expected[band]))
            }
        }
        #expect(worst < 1e-3, "largest difference \(worst)")
        // The values are not all alike: the signal has structure the comparison can see.
        let spread = (reference.log_mel.values.flatMap { $0 }.max() ?? 0) - (reference.log_mel.values.flatMap { $0 }.min() ?? 0)
        #expect(spread > 0.5)
    }

    @Test func tagProbabilitiesMatchTheReference() throws {
        let reference = try Self.reference()
        let tagger = try Self.tagger()
        let signal = Self.signal(samples: reference.samples)
        let spectrogram = LogMelSpectrogram(planner: FFTPlanner())
        let patches = reference.patch_starts.map { spectrogram.frames(of: signal, first: $0, count: MusicnnModel.frames) }
        for model in tagger.models {
            let expected = try #require(reference.models[model.name])
            for (patch, wanted) in zip(patches, expected.per_patch) {
                let probabilities = patch.withUnsafeBufferPointer { model.probabilities($0) }
                let worst = zip(probabilities, wanted).map { abs($0 - $1) }.max() ?? 1
                #expect(worst < 1e-3, "\(model.name): largest difference \(worst)")
            }
        }
        let sound = tagger.hear(patches)
        let wanted = AudioTagger.modelNames.flatMap { reference.models[$0]?.mean ?? [] }
        #expect(sound.count == 100 && wanted.count == 100)
        #expect((zip(sound, wanted).map { abs($0 - $1) }.max() ?? 1) < 1e-3)
        // Some tags are likely and some are not: a network that answered a constant would fail here.
        #expect((sound.max() ?? 0) - (sound.min() ?? 0) > 0.2)
    }

    @Test func patchesAreSpreadAndBounded() {
        let length = MusicnnModel.frames
        #expect(AudioTagger.patchStarts(totalFrames: 50) == [0])
        #expect(AudioTagger.patchStarts(totalFrames: length) == [0])
        // 30 s: 1876 frames, two patches a quarter and three quarters in.
        let clip = AudioTagger.patchStarts(totalFrames: 1876)
        #expect(clip == [(1876 - length) / 4, (1876 - length) * 3 / 4])
        for total in [200, 400, 600, 1876, 11_250] {
            for limit in 1...4 {
                let starts = AudioTagger.patchStarts(totalFrames: total, maxPatches: limit)
                #expect(!starts.isEmpty && starts.count <= limit)
                #expect(starts.allSatisfy { $0 >= 0 && $0 + length <= total })
                #expect(zip(starts, starts.dropFirst()).allSatisfy { $1 - $0 >= length }, "patches overlap: \(starts)")
            }
        }
    }

    @Test func missingOrDamagedWeightsAreRefusedWithTheReason() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(TaggingWeights.fileName).path
        #expect(AudioTagger.unavailability(folder: folder.path) == .missing(path: path))

        func refusal(_ bytes: [UInt8]) -> TaggingWeightsError? {
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            return AudioTagger.unavailability(folder: folder.path)
        }
        func isCorrupt(_ error: TaggingWeightsError?) -> Bool {
            if case .corrupt = error { return true }
            return false
        }
        #expect(isCorrupt(refusal(Array("not weights at all".utf8))))
        #expect(isCorrupt(refusal([])))
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: BuiltProducts.models + "/" + TaggingWeights.fileName)))
        #expect(refusal(good) == nil)
        var flipped = good
        flipped[flipped.count / 2] ^= 0x40
        #expect(isCorrupt(refusal(flipped)))
        #expect(isCorrupt(refusal(Array(good.prefix(good.count - 4)))))
        var otherVersion = good
        otherVersion[8] = 9
        #expect(isCorrupt(refusal(otherVersion)))
    }

    @Test func analysesCarryTagsOnlyWithATagger() async throws {
        let track = try await Fixtures.track(.techno, bpm: 124, tonic: 9, mode: .minor, seconds: 12, seed: 7)
        let audio = DecodedAudio(sampleRate: Fixtures.sampleRate, mono: track, loudnessLUFS: -14, durationSeconds: 12, truncated: false)
        let untagged = AudioAnalyzer().analyze(audio)
        #expect(untagged.tags == nil && untagged.sound == nil)
        let tagged = AudioAnalyzer(tagger: try Self.tagger()).analyze(audio)
        let sound = try #require(tagged.sound)
        #expect(sound.count == 100 && sound.allSatisfy { (0...1).contains($0) })
        let tags = try #require(tagged.tags)
        #expect(tags.allSatisfy { $0.probability >= TagDescription.floor })
        #expect(zip(tags, tags.dropFirst()).allSatisfy { $0.probability >= $1.probability })
        // Tagging changes nothing the engine measured before.
        #expect(tagged.bpm == untagged.bpm && tagged.key == untagged.key && tagged.energy == untagged.energy)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(untagged)) as? [String: Any]
        #expect(json?["tags"] is NSNull && json?["sound"] is NSNull)
    }
}
