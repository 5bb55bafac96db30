import NIOCore

/// The Redis serialisation protocol, version 2: commands out, replies in.
enum RESP {
    /// Appends `command` as an array of bulk strings.
    static func write(_ command: RedisCommand, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "*"))
        writeDecimal(command.arguments.count, to: &buffer)
        for argument in command.arguments {
            buffer.writeInteger(UInt8(ascii: "$"))
            writeDecimal(argument.count, to: &buffer)
            buffer.writeBytes(argument)
            buffer.writeInteger(crlf)
        }
    }

    /// Bytes a command takes on the wire, near enough to size a buffer once.
    static func estimatedSize(of command: RedisCommand) -> Int {
        command.arguments.reduce(16) { $0 + $1.count + 16 }
    }

    /// Reads one whole reply from the front of `buffer`, moving its reader index past it. Returns nil and
    /// leaves the buffer as it was when the reply has not fully arrived yet.
    static func read(from buffer: inout ByteBuffer) throws(RedisError) -> RedisValue? {
        var view = buffer
        guard let value = try readValue(&view, depth: 0) else { return nil }
        buffer.moveReaderIndex(to: view.readerIndex)
        return value
    }

    /// Replies nest no deeper than this (Redis's own replies nest a few levels).
    static let maximumDepth = 32
    /// Redis's own limit on a bulk string (`proto-max-bulk-len`, 512 MB): a larger length is garbage.
    static let maximumBulkLength = 512 * 1024 * 1024

    private static func readValue(_ buffer: inout ByteBuffer, depth: Int) throws(RedisError) -> RedisValue? {
        guard let type = buffer.readInteger(as: UInt8.self), let line = readLine(&buffer) else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            return .status(String(buffer: line))
        case UInt8(ascii: "-"):
            return .error(String(buffer: line))
        case UInt8(ascii: ":"):
            return .integer(try decimal(line))
        case UInt8(ascii: "$"):
            let length = try decimal(line)
            if length < 0 { return .null }
            guard length <= maximumBulkLength else { throw .connectionLost("a Redis reply announces \(length) bytes") }
            guard buffer.readableBytes >= length + 2, let bytes = buffer.readBytes(length: length) else { return nil }
            buffer.moveReaderIndex(forwardBy: 2)
            return .bulk(bytes)
        case UInt8(ascii: "*"):
            let count = try decimal(line)
            if count < 0 { return .null }
            guard depth < maximumDepth else { throw .connectionLost("a Redis reply nests too deeply") }
            var elements: [RedisValue] = []
            elements.reserveCapacity(min(count, 1024))
            for _ in 0..<count {
                guard let element = try readValue(&buffer, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            return .array(elements)
        default:
            throw .connectionLost("unexpected byte \(type) at the start of a Redis reply")
        }
    }

    /// The bytes up to the next CRLF, consuming both; nil when no CRLF has arrived yet. A slice of
    /// `buffer`, not a copy: most lines are numbers, read where they lie.
    private static func readLine(_ buffer: inout ByteBuffer) -> ByteBuffer? {
        let end = buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard bytes.count >= 2 else { return nil }
            var index = 0
            while index < bytes.count - 1 {
                if bytes[index] == 0x0D, bytes[index + 1] == 0x0A { return index }
                index += 1
            }
            return nil
        }
        guard let end, let line = buffer.readSlice(length: end) else { return nil }
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    /// A line's signed decimal number.
    private static func decimal(_ line: ByteBuffer) throws(RedisError) -> Int {
        let value = line.withUnsafeReadableBytes { bytes -> Int? in
            guard let first = bytes.first else { return nil }
            let negative = first == UInt8(ascii: "-")
            let digits = negative ? bytes.dropFirst() : bytes[...]
            guard !digits.isEmpty else { return nil }
            // Accumulated with the sign, so Int.min reads too.
            var value = 0
            for byte in digits {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                let digit = Int(byte - UInt8(ascii: "0"))
                let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
                let (next, overflowB) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                guard !overflowA, !overflowB else { return nil }
                value = next
            }
            return value
        }
        guard let value else { throw .connectionLost("a Redis reply has a malformed number") }
        return value
    }

    private static let crlf: UInt16 = 0x0D0A

    private static func writeDecimal(_ value: Int, to buffer: inout ByteBuffer) {
        buffer.writeString(String(value))
        buffer.writeInteger(crlf)
    }
}
