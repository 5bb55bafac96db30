/// A Redis reply (RESP2).
public enum RedisValue: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int)
    case bulk([UInt8])
    case null
    case array([RedisValue])

    /// Text of a bulk or status reply.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// An integer reply, or a bulk reply that holds a decimal integer.
    public var int: Int? {
        switch self {
        case .integer(let value): value
        case .bulk: string.flatMap { Int($0) }
        default: nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let values) = self { values } else { nil }
    }

}

/// One command: its name and arguments, binary safe.
public struct RedisCommand: Sendable, Equatable {
    public var arguments: [[UInt8]]

    public init(_ name: String, _ arguments: String...) {
        self.arguments = [Array(name.utf8)] + arguments.map { Array($0.utf8) }
    }

    public init(_ name: String, arguments: [String]) {
        self.arguments = [Array(name.utf8)] + arguments.map { Array($0.utf8) }
    }

    public init(bytes: [[UInt8]]) {
        self.arguments = bytes
    }

    public var name: String { arguments.first.map { String(decoding: $0, as: UTF8.self) } ?? "" }
}

/// What went wrong talking to Redis, in Redis's words where it has them.
public enum RedisError: Error, Equatable, CustomStringConvertible {
    /// No connection could be made (server down, refused, unreachable, authentication refused).
    case connectionFailed(String)
    /// The connection broke during a command: the command may or may not have run.
    case connectionLost(String)
    /// Connecting or a command took longer than the configured timeout.
    case timeout
    /// Redis answered with an error reply.
    case server(String)
    /// The client was shut down.
    case closed

    public var description: String {
        switch self {
        case .connectionFailed(let reason): "Redis is unreachable: \(reason)."
        case .connectionLost(let reason): "The connection to Redis broke: \(reason)."
        case .timeout: "Redis did not answer in time."
        case .server(let message): "Redis refused the command: \(message)."
        case .closed: "The Redis client is shut down."
        }
    }

    /// Redis itself is at fault or away, as opposed to a bad command.
    public var isUnavailable: Bool {
        switch self {
        case .connectionFailed, .connectionLost, .timeout, .closed: true
        case .server(let message): message.hasPrefix("LOADING") || message.hasPrefix("MASTERDOWN") || message.hasPrefix("BUSY")
        }
    }
}

extension RedisSettings {
    /// What a new connection sends before anything else: authentication, then the database.
    var setupCommands: [RedisCommand] {
        var setup: [RedisCommand] = []
        if let password {
            setup.append(username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password))
        }
        if database != 0 { setup.append(RedisCommand("SELECT", String(database))) }
        return setup
    }
}
