import AudioAnalysis
import Catalogs
import Core
import Foundation
import QueryParsing
import Synthesis
import TestSupport

enum CatalogFixtures {
    /// Provider calls to loopback fakes: the address guard lets them through, as in tests and local setups.
    static func client(cache: (any ResponseCache)? = MemoryResponseCache()) -> ProviderClient {
        ProviderClient(guardrail: AddressGuard(allowPrivateAddresses: true), cache: cache)
    }

    static func filters(_ query: String) -> Filters { RuleParser().parse(query) }

    /// A search deadline that only a hang reaches, even on a loaded machine.
    static func deadline(_ seconds: Double = 60) -> ContinuousClock.Instant { .now + .milliseconds(Int(seconds * 1000)) }

    /// A WAV file of a 440 Hz tone with clicks at 120 BPM: real audio for providers to serve.
    static func audioFile(seconds: Double = 4, in folder: String, name: String = "tone") throws -> String {
        let rate = 22_050
        var samples = (0..<Int(seconds * Double(rate))).map { Float(0.3 * sin(2 * Double.pi * 440 * Double($0) / Double(rate))) }
        for beat in stride(from: 0, to: samples.count, by: rate / 2) {
            for offset in 0..<200 where beat + offset < samples.count { samples[beat + offset] += Float(0.6 * exp(-Double(offset) / 40)) }
        }
        let path = folder + "/\(name).wav"
        try WAVFile.data(samples: samples, sampleRate: rate).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func json(_ object: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The query parameters of a recorded request.
    static func parameters(_ request: ScriptedHTTPServer.Request) -> [String: String] {
        let items = URLComponents(string: "http://x" + request.path)?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    static func pathOnly(_ request: ScriptedHTTPServer.Request) -> String {
        String(request.path.prefix { $0 != "?" })
    }
}
