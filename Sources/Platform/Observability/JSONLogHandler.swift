import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line: what log collectors parse without rules.
///
/// `{"ts": "...", "level": "info", "logger": "...", "message": "...", <metadata keys>...}`
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: Sink

    /// Where lines go: stdout by default, a closure in tests.
    public final class Sink: Sendable {
        private let write: @Sendable (String) -> Void
        private let lock = Mutex(())

        public init(_ write: @escaping @Sendable (String) -> Void) {
            self.write = write
        }

        public static let standardOutput = Sink { line in
            FileHandle.standardOutput.write(Data(line.utf8))
        }

        public static let standardError = Sink { line in
            FileHandle.standardError.write(Data(line.utf8))
        }

        func emit(_ line: String) {
            lock.withLock { _ in write(line) }
        }
    }

    public init(label: String, level: Logger.Level = .info, sink: Sink = .standardOutput) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [
            "ts": Self.timestamp(),
            "level": event.level.rawValue,
            "logger": label,
            "message": event.message.description,
        ]
        var merged = self.metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged { fields[key] = Self.json(value) }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return
        }
        sink.emit(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// Numbers stay numbers so dashboards can sum `duration_ms`.
    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text):
            if let number = Int(text) { return number }
            if let number = Double(text), number.isFinite, text.contains(".") { return number }
            return text
        case .stringConvertible(let convertible):
            return json(.string(convertible.description))
        case .array(let values):
            return values.map(json)
        case .dictionary(let values):
            return values.mapValues(json)
        }
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
