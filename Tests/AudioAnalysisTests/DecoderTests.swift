import AudioAnalysis
import Foundation
import TestSupport
import Testing

/// The decoder reads every format from a path and from memory, within its caps, and turns every kind
/// of bad input into a typed error.
@Suite struct DecoderTests {
    @Test(arguments: AudioFormat.allCases)
    func decodesEveryFormatFromPathAndMemory(format: AudioFormat) async throws {
        let folder = try Fixtures.folder("decode-\(format)")
        let path = try await Fixtures.encode(Fixtures.sine(frequency: 440, seconds: 3), as: format, in: folder, channels: 2)
        let decoder = AudioDecoder()
        let fromPath = try decoder.decode(path: path)
        let fromMemory = try decoder.decode(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        for audio in [fromPath, fromMemory] {
            #expect(audio.sampleRate == AudioDecoder.analysisRate)
            // Encoders add priming samples; within a tenth of a second of the truth.
            #expect(abs(audio.decodedSeconds - 3) < 0.1, "\(format): \(audio.decodedSeconds) s")
            #expect(abs(audio.durationSeconds - 3) < 0.1)
            // A 0.5 sine on both channels: their mean has an RMS of 0.354.
            let rms = (audio.mono.reduce(0) { $0 + Double($1 * $1) } / Double(audio.mono.count)).squareRoot()
            #expect(abs(rms - 0.354) < 0.02, "\(format): RMS \(rms)")
        }
        #expect(fromPath.mono.count == fromMemory.mono.count)
    }

    @Test func stopsAtTheSecondsCapAndStillReportsTheWholeDuration() async throws {
        let folder = try Fixtures.folder("decode-cap")
        let path = try await Fixtures.encode(Fixtures.sine(frequency: 220, seconds: 12), as: .flac, in: folder)
        let audio = try AudioDecoder(limits: DecodingLimits(maxSeconds: 5)).decode(path: path)
        #expect(audio.truncated)
        #expect(audio.mono.count == 5 * AudioDecoder.analysisRate)
        #expect(abs(audio.durationSeconds - 12) < 0.05)
    }

    @Test func refusesInputsOverTheByteCap() async throws {
        let folder = try Fixtures.folder("decode-bytes")
        let path = try await Fixtures.encode(Fixtures.sine(frequency: 220, seconds: 4), as: .wav, in: folder)
        let decoder = AudioDecoder(limits: DecodingLimits(maxBytes: 50_000))
        #expect(throws: DecodingError.tooLarge(limit: 50_000)) { try decoder.decode(path: path) }
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(throws: DecodingError.tooLarge(limit: 50_000)) { try decoder.decode(bytes: bytes) }
    }

    @Test func emptyInputIsEmpty() throws {
        let folder = try Fixtures.folder("decode-empty")
        FileManager.default.createFile(atPath: folder + "/empty.mp3", contents: Data())
        #expect(throws: DecodingError.empty) { try AudioDecoder().decode(path: folder + "/empty.mp3") }
        #expect(throws: DecodingError.empty) { try AudioDecoder().decode(bytes: []) }
    }

    @Test func missingFilesAndFoldersAreUnreadable() throws {
        let folder = try Fixtures.folder("decode-missing")
        for path in [folder + "/nothing.mp3", folder] {
            do {
                _ = try AudioDecoder().decode(path: path)
                Issue.record("\(path) decoded")
            } catch {
                #expect(error.code == "UNREADABLE")
            }
        }
    }

    @Test func randomBytesAndTextAreNotAudio() throws {
        var generator = SystemRandomNumberGenerator()
        for size in [1, 100, 4_096, 100_000] {
            let noise = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(throws: DecodingError.self) { try AudioDecoder().decode(bytes: noise) }
        }
        let text = Array("<html><body>not a song</body></html>".utf8)
        #expect(throws: DecodingError.unrecognisedFormat) { try AudioDecoder().decode(bytes: text) }
    }

    @Test(arguments: [AudioFormat.mp3, .flac, .opusOgg, .m4a, .wav])
    func truncatedFilesDecodeWhatIsThereOrFailCleanly(format: AudioFormat) async throws {
        let folder = try Fixtures.folder("decode-truncated-\(format)")
        let path = try await Fixtures.encode(Fixtures.sine(frequency: 330, seconds: 6), as: format, in: folder)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        for fraction in [0.01, 0.3, 0.7] {
            let cut = Array(bytes.prefix(max(1, Int(Double(bytes.count) * fraction))))
            do {
                let audio = try AudioDecoder().decode(bytes: cut)
                #expect(audio.decodedSeconds <= 6.1)
            } catch {
                #expect(["UNSUPPORTED_MEDIA", "INVALID_AUDIO"].contains(error.code), "\(format) \(fraction): \(error)")
            }
        }
    }

    @Test func corruptedMiddleStillDecodes() async throws {
        let folder = try Fixtures.folder("decode-corrupt")
        let path = try await Fixtures.encode(Fixtures.sine(frequency: 330, seconds: 6), as: .mp3, in: folder)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var generator = SystemRandomNumberGenerator()
        for index in stride(from: bytes.count / 3, to: bytes.count / 2, by: 7) {
            bytes[index] = UInt8.random(in: 0...255, using: &generator)
        }
        let audio = try AudioDecoder().decode(bytes: bytes)
        #expect(audio.decodedSeconds > 3)
    }

    @Test func absurdHeadersAreRefusedNotAllocated() throws {
        // A WAV header claiming 65,535 channels and then one claiming a sample rate of 0 and of 4 GHz.
        for (channels, rate) in [(UInt16(65_535), UInt32(44_100)), (2, 0), (2, 4_000_000_000)] {
            var header = Data("RIFF".utf8)
            header.append(contentsOf: withUnsafeBytes(of: UInt32(36 + 1_000).littleEndian, Array.init))
            header.append(contentsOf: Array("WAVEfmt ".utf8))
            header.append(contentsOf: withUnsafeBytes(of: UInt32(16).littleEndian, Array.init))
            header.append(contentsOf: withUnsafeBytes(of: UInt16(1).littleEndian, Array.init))
            header.append(contentsOf: withUnsafeBytes(of: channels.littleEndian, Array.init))
            header.append(contentsOf: withUnsafeBytes(of: rate.littleEndian, Array.init))
            header.append(contentsOf: withUnsafeBytes(of: UInt32(176_400).littleEndian, Array.init))
            header.append(contentsOf: withUnsafeBytes(of: UInt16(4).littleEndian, Array.init))
            header.append(contentsOf: withUnsafeBytes(of: UInt16(16).littleEndian, Array.init))
            header.append(contentsOf: Array("data".utf8))
            header.append(contentsOf: withUnsafeBytes(of: UInt32(0xFFFF_FFF0).littleEndian, Array.init))
            header.append(Data(repeating: 0x11, count: 1_000))
            do {
                let audio = try AudioDecoder().decode(bytes: Array(header))
                Issue.record("decoded \(audio.mono.count) samples from \(channels) channels at \(rate) Hz")
            } catch {
                #expect(["UNSUPPORTED_MEDIA", "INVALID_AUDIO"].contains(error.code), "\(error)")
            }
        }
    }

    @Test func aVideoWithoutSoundHasNoAudioStream() async throws {
        let folder = try Fixtures.folder("decode-video")
        let path = folder + "/silent.webm"
        try await Processes.run(
            try Fixtures.ffmpeg,
            ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=32x32:d=1", "-c:v", "libvpx", path])
        #expect(throws: DecodingError.noAudioStream) { try AudioDecoder().decode(path: path) }
    }
}
