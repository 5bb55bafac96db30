import NIOCore
@testable import Redis
import Testing

@testable import Platform

/// The wire protocol on its own: what arrives in pieces, nested, empty or malformed.
@Suite struct RESPTests {
    private func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test func commandsAreArraysOfBulkStrings() {
        var out = ByteBuffer()
        RESP.write(RedisCommand(bytes: [Array("SET".utf8), Array("k".utf8), [0, 13, 10]]), to: &out)
        #expect(out == ByteBuffer(bytes: Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n".utf8) + [0, 13, 10] + Array("\r\n".utf8)))
    }

    /// Counts and lengths of several digits, and the empty argument.
    @Test func lengthsOfEveryWidth() {
        for length in [0, 9, 10, 99, 100, 1234, 70_000] {
            let arguments = [[UInt8]](repeating: [], count: length % 13) + [[UInt8](repeating: 0x61, count: length)]
            var out = ByteBuffer()
            RESP.write(RedisCommand(bytes: arguments), to: &out)
            var expected = "*\(arguments.count)\r\n" + String(repeating: "$0\r\n\r\n", count: length % 13)
            expected += "$\(length)\r\n" + String(repeating: "a", count: length) + "\r\n"
            #expect(out == ByteBuffer(string: expected), "length \(length)")
        }
    }

    @Test func everyReplyType() throws {
        var input = buffer("+OK\r\n-ERR wrong\r\n:-42\r\n$5\r\nhe\r\nl\r\n$-1\r\n*-1\r\n*0\r\n*2\r\n*1\r\n:1\r\n$0\r\n\r\n")
        #expect(try RESP.read(from: &input) == .status("OK"))
        #expect(try RESP.read(from: &input) == .error("ERR wrong"))
        #expect(try RESP.read(from: &input) == .integer(-42))
        // A bulk string is binary: CRLF inside it is content.
        #expect(try RESP.read(from: &input) == .bulk(Array("he\r\nl".utf8)))
        #expect(try RESP.read(from: &input) == .null)
        #expect(try RESP.read(from: &input) == .null)
        #expect(try RESP.read(from: &input) == .array([]))
        #expect(try RESP.read(from: &input) == .array([.array([.integer(1)]), .bulk([])]))
        #expect(try RESP.read(from: &input) == nil)
        #expect(input.readableBytes == 0)
    }

    @Test func aReplyCutAnywhereWaitsForTheRest() throws {
        let whole = Array("*3\r\n$5\r\nhello\r\n:7\r\n*1\r\n+x\r\n".utf8)
        for cut in 1..<whole.count {
            var input = ByteBuffer(bytes: whole[..<cut])
            #expect(try RESP.read(from: &input) == nil, "cut at \(cut)")
            // Nothing is consumed until the reply is whole.
            #expect(input.readableBytes == cut)
            input.writeBytes(whole[cut...])
            #expect(try RESP.read(from: &input) == .array([.bulk(Array("hello".utf8)), .integer(7), .array([.status("x")])]))
        }
    }

    @Test func numbersReadToTheirLimits() throws {
        var input = buffer(":0\r\n:\(Int.max)\r\n:\(Int.min)\r\n:-0\r\n")
        #expect(try RESP.read(from: &input) == .integer(0))
        #expect(try RESP.read(from: &input) == .integer(.max))
        #expect(try RESP.read(from: &input) == .integer(.min))
        #expect(try RESP.read(from: &input) == .integer(0))
        // A bulk length past Redis's own limit is garbage, not a reason to wait (or to overflow).
        for malformed in [
            ":\r\n", ":-\r\n", ":9223372036854775808\r\n", ":-9223372036854775809\r\n", ": 1\r\n", ":+1\r\n", "$x\r\n",
            "$\(Int.max)\r\n", "$\(RESP.maximumBulkLength + 1)\r\n",
        ] {
            var bad = buffer(malformed)
            #expect(throws: RedisError.self, "\(malformed)") { try RESP.read(from: &bad) }
        }
    }

    @Test func garbageIsAnErrorNotACrash() {
        var input = buffer("?what\r\n")
        #expect(throws: RedisError.self) { try RESP.read(from: &input) }
        var badNumber = buffer(":12a\r\n")
        #expect(throws: RedisError.self) { try RESP.read(from: &badNumber) }
        var deep = buffer(String(repeating: "*1\r\n", count: RESP.maximumDepth + 2) + ":1\r\n")
        #expect(throws: RedisError.self) { try RESP.read(from: &deep) }
    }
}
