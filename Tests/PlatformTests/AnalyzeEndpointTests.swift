import Foundation
import Hummingbird
import HummingbirdTesting
import Synthesis
import TestSupport
import Testing

@testable import Platform

/// `POST /v1/analyze`: a URL or a multipart upload, analysed in real worker processes.
@Suite struct AnalyzeEndpointTests {
    static func wav(seconds: Double = 4) -> [UInt8] {
        let rate = 22_050
        let samples = (0..<Int(seconds * Double(rate))).map { index -> Float in
            (index % (rate / 2) < 300 ? 0.8 : 0) + Float(0.2 * sin(2 * Double.pi * 220 * Double(index) / Double(rate)))
        }
        return [UInt8](WAVFile.data(samples: samples, sampleRate: rate))
    }

    static func multipart(_ parts: [(name: String, filename: String?, bytes: [UInt8])], boundary: String = "mfBoundary7") -> ByteBuffer {
        var body: [UInt8] = []
        for part in parts {
            var header = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { header += "; filename=\"\(filename)\"" }
            header += "\r\nContent-Type: application/octet-stream\r\n\r\n"
            body += Array(header.utf8) + part.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ByteBuffer(bytes: body)
    }

    static func post(_ client: any TestClientProtocol, key: String, contentType: String, _ body: ByteBuffer) async throws
        -> (HTTPResponse.Status, [String: Any])
    {
        let response = try await client.execute(
            uri: "/v1/analyze", method: .post, headers: [.contentType: contentType, .xAPIKey: key], body: body)
        return (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:])
    }

    @Test func analysesAnUploadAndAURL() async throws {
        let server = try await ScriptedHTTPServer.start()
        defer { server.stop() }
        let folder = try Processes.makeTemporaryDirectory("analyze-endpoint")
        try Data(Self.wav()).write(to: URL(fileURLWithPath: folder + "/clip.wav"))
        try server.script([.file(folder + "/clip.wav", contentType: "audio/wav", repeats: true)])
        var app = try await TestApp.shared()
        app.configure = { $0.allowPrivateURLs = true }
        let key = try await app.createKey(tier: .enterprise).secret
        try await app.test { client in
            let (uploaded, analysis) = try await Self.post(
                client, key: key, contentType: "multipart/form-data; boundary=mfBoundary7",
                Self.multipart([(name: "file", filename: "clip.wav", bytes: Self.wav())]))
            #expect(uploaded == .ok, "\(analysis)")
            #expect(abs((analysis["duration_seconds"] as? Double ?? 0) - 4) < 0.1)
            #expect((analysis["waveform"] as? [Double])?.count == 100)
            #expect(analysis.keys.contains("bpm") && analysis.keys.contains("key"))

            let (fetched, byURL) = try await Self.post(
                client, key: key, contentType: "application/json", ByteBuffer(string: #"{"url": "\#(server.baseURL)/clip.wav"}"#))
            #expect(fetched == .ok, "\(byURL)")
            #expect(byURL["bpm"] as? Double == analysis["bpm"] as? Double, "the same audio, the same answer")
        }
    }

    @Test func badUploadsGetTheRightStatus() async throws {
        let app = try await TestApp.shared()
        let key = try await app.createKey(tier: .enterprise).secret
        try await app.test { client in
            let (notAudio, error) = try await Self.post(
                client, key: key, contentType: "multipart/form-data; boundary=mfBoundary7",
                Self.multipart([(name: "file", filename: "notes.txt", bytes: Array("just some text, not audio at all".utf8))]))
            #expect(notAudio == .unsupportedMediaType, "\(error)")
            #expect((error["error"] as? [String: Any])?["code"] as? String == "UNSUPPORTED_MEDIA")

            let tooLarge = [UInt8](repeating: 0x41, count: 50 * 1024 * 1024 + 1)
            let (large, largeError) = try await Self.post(
                client, key: key, contentType: "multipart/form-data; boundary=mfBoundary7",
                Self.multipart([(name: "file", filename: "big.wav", bytes: tooLarge)]))
            #expect(large == .contentTooLarge)
            #expect((largeError["error"] as? [String: Any])?["code"] as? String == "PAYLOAD_TOO_LARGE")

            let (noFile, _) = try await Self.post(
                client, key: key, contentType: "multipart/form-data; boundary=mfBoundary7", Self.multipart([]))
            #expect(noFile == .badRequest)

            // Loopback is not a public address: a URL of the contract's shape, refused (422) before any
            // request is made.
            let (loopback, loopbackError) = try await Self.post(
                client, key: key, contentType: "application/json", ByteBuffer(string: #"{"url": "http://127.0.0.1:9/a.mp3"}"#))
            #expect(loopback == .unprocessableContent)
            #expect(((loopbackError["error"] as? [String: Any])?["details"] as? [String: Any])?["reason"] as? String == "url_not_allowed")

            // Not of the contract's shape: 400.
            for url in ["", "ftp://example.com/a.mp3", "http://", "http://exa mple.com/a.mp3", "https://example.com/\u{e9}.mp3"] {
                let (status, json) = try await Self.post(
                    client, key: key, contentType: "application/json", ByteBuffer(string: #"{"url": "\#(url)"}"#))
                #expect(status == .badRequest, "\(url): \(json)")
                #expect(((json["error"] as? [String: Any])?["details"] as? [String: Any])?["field"] as? String == "url")
            }
        }
    }
}
