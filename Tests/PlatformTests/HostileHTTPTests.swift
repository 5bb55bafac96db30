import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TestSupport
import Testing

@testable import Platform

/// Requests no well-behaved client sends, over a real socket to the real server: each gets a clear 4xx
/// or a closed connection, never a 5xx, and the server goes on serving everyone else.
///
/// Judged by what the server answers and in what order, not by how long it takes: every wait is bounded
/// generously, and where a step must happen while another is still under way, the test makes it so.
@Suite(.serialized) struct HostileHTTPTests {
    /// A shorter idle timeout than the default, so that a stalled request is seen to be closed without a
    /// long wait; still long enough that no pause of a slow but live client on a loaded machine reaches it.
    static let idleTimeout: Duration = .seconds(10)

    /// Runs `body` against a real server on a loopback port, with an enterprise key for it.
    static func live(_ body: @Sendable @escaping (_ client: any TestClientProtocol, _ port: Int, _ key: String) async throws -> Void)
        async throws
    {
        var app = try await TestApp.shared()
        app.configure = { $0.httpIdleTimeout = idleTimeout }
        let key = try await app.createKey(tier: .enterprise).secret
        try await app.test(.live) { client in try await body(client, try #require(client.port), key) }
    }

    /// A request head as bytes: the request line, `Host`, the key, then `rest` (further fields, the blank
    /// line and any body, as the test needs them, well-formed or not).
    static func head(_ requestLine: String, key: String, _ rest: String) -> ByteBuffer {
        ByteBuffer(string: "\(requestLine) HTTP/1.1\r\nHost: localhost\r\nX-API-Key: \(key)\r\n" + rest)
    }

    /// Every response the server wrote is a 4xx (or there was none), and it answers others afterwards.
    static func expectRefusedAndStillServing(_ exchange: RawExchange, _ client: any TestClientProtocol, key: String) async throws {
        #expect(!exchange.statuses.contains { $0 >= 500 }, "a 5xx: \(exchange.text.prefix(300))")
        #expect(exchange.statuses.allSatisfy { (400..<500).contains($0) }, "\(exchange.text.prefix(300))")
        // On a connection of its own: the test client's may have been closed as idle meanwhile.
        let port = try #require(client.port)
        let body = #"{"query": "techno"}"#
        let after = try await RawExchange.run(port: port) { writer in
            try await writer.write(
                Self.head(
                    "POST /v1/parse", key: key,
                    "Content-Type: application/json\r\n"
                        + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"))
        }
        #expect(after.statuses == [200], "the server stopped serving: \(after.text.prefix(300))")
    }

    @Test func headersOfOneMegabyteAreRefused() async throws {
        try await Self.live { client, port, key in
            let head = "GET /v1/keys HTTP/1.1\r\nHost: localhost\r\nX-API-Key: \(key)\r\nX-Padding: "
            let exchange = try await RawExchange.run(port: port) { writer in
                try await writer.write(ByteBuffer(string: head))
                try await writer.write(ByteBuffer(repeating: UInt8(ascii: "a"), count: 1024 * 1024))
                try await writer.write(ByteBuffer(string: "\r\n\r\n"))
            }
            #expect(exchange.closedByServer)
            #expect(!exchange.statuses.contains(200))
            try await Self.expectRefusedAndStillServing(exchange, client, key: key)
        }
    }

    @Test func aBodyThatArrivesSlowlyIsReadWhileOthersAreServed() async throws {
        try await Self.live { client, port, key in
            let body = Array(#"{"query": "128 bpm dark techno in A minor"}"#.utf8)
            let othersServed = NIOLockedValueBox(false)
            let exchange = try await RawExchange.run(port: port) { writer in
                try await writer.write(
                    Self.head(
                        "POST /v1/parse", key: key,
                        "Content-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"))
                let half = body.count / 2
                for byte in body[..<half] {
                    try await writer.write(ByteBuffer(bytes: [byte]))
                    try await Task.sleep(for: .milliseconds(20))
                }
                // Half the body is in; the rest waits until another client has been answered.
                let other = try await client.execute(uri: "/health/live", method: .get)
                othersServed.withLockedValue { $0 = other.status == .ok }
                for byte in body[half...] {
                    try await writer.write(ByteBuffer(bytes: [byte]))
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            #expect(othersServed.withLockedValue { $0 }, "another request was not answered while a body was arriving")
            #expect(exchange.statuses == [200], "\(exchange.text.prefix(300))")
            #expect(exchange.text.contains(#""genres":["techno"]"#))
        }
    }

    @Test func aBodyShorterThanItsContentLengthIsClosedAtTheIdleTimeout() async throws {
        try await Self.live { client, port, key in
            // Promises 1,000 bytes, sends 20, then nothing: the connection is closed, not held forever.
            let exchange = try await RawExchange.run(port: port) { writer in
                try await writer.write(
                    Self.head(
                        "POST /v1/parse", key: key, "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"query\": \"techno"))
            }
            #expect(exchange.closedByServer, "a stalled body held its connection open")
            try await Self.expectRefusedAndStillServing(exchange, client, key: key)
        }
    }

    @Test func aBodyLongerThanItsContentLengthIsNotReadAsTheBody() async throws {
        try await Self.live { client, port, key in
            // The length covers `{"query": ` only; what follows is not a request at all.
            let exchange = try await RawExchange.run(port: port) { writer in
                try await writer.write(
                    Self.head(
                        "POST /v1/parse", key: key,
                        "Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"query\": \"techno\"}\r\n\r\n"))
            }
            #expect(exchange.statuses.first == 400, "\(exchange.text.prefix(300))")
            #expect(exchange.text.contains("INVALID_REQUEST"))
            try await Self.expectRefusedAndStillServing(exchange, client, key: key)
        }
    }

    /// Each form takes its documented parts once: a second `file` or `limit`, or a part of another name,
    /// is refused where it stands, not read to the end of ten thousand.
    @Test(arguments: [("/v1/analyze", "file"), ("/v1/analyze", "note"), ("/v1/similar", "file"), ("/v1/similar", "limit")])
    func aMultipartUploadOfTenThousandPartsIsRefused(path: String, partName: String) async throws {
        try await Self.live { client, port, key in
            let boundary = "hostile-boundary"
            var body = ByteBuffer()
            for index in 0..<10_000 {
                body.writeString(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(partName)\"; filename=\"\(index).mp3\"\r\n"
                        + "Content-Type: audio/mpeg\r\n\r\nID3\r\n")
            }
            body.writeString("--\(boundary)--\r\n")
            let exchange = try await RawExchange.run(port: port) { [body] writer in
                try await writer.write(
                    Self.head(
                        "POST \(path)", key: key,
                        "Content-Type: multipart/form-data; boundary=\(boundary)\r\nContent-Length: \(body.readableBytes)\r\n"
                            + "Connection: close\r\n\r\n"))
                try await writer.write(body)
            }
            #expect(exchange.statuses == [400], "\(exchange.text.prefix(300))")
            #expect(exchange.text.contains("INVALID_REQUEST"))
            try await Self.expectRefusedAndStillServing(exchange, client, key: key)
        }
    }

    @Test(arguments: ["/v1/search", "/v1/parse", "/v1/keys", "/v1/analyze", "/v1/similar"])
    func jsonNestedAHundredThousandDeepIsRefused(path: String) async throws {
        try await Self.live { client, port, key in
            // 100,000 deep, and 20,000 deep to stay under `/v1/parse`'s smaller body cap (64 KiB), which
            // refuses the deeper one with 413 before any decoder sees it.
            for depth in [100_000, 20_000] {
                let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
                for body in [#"{"query": \#(nested)}"#, nested, #"{"url": \#(nested), "track_id": \#(nested)}"#] {
                    let response = try await client.execute(
                        uri: path, method: .post, headers: [.contentType: "application/json", .xAPIKey: key],
                        body: ByteBuffer(string: body))
                    let code = try ErrorBody(response).error.code
                    if response.status == .contentTooLarge {
                        #expect(path == "/v1/parse" && body.utf8.count > ParseRoute.maximumBodyBytes, "\(path): 413")
                        #expect(code == "PAYLOAD_TOO_LARGE")
                    } else {
                        #expect(response.status == .badRequest, "\(path), \(depth) deep: \(response.status)")
                        #expect(code == "INVALID_REQUEST")
                    }
                }
            }
            try await Self.expectRefusedAndStillServing(RawExchange(received: [], closedByServer: true), client, key: key)
        }
    }

    @Test func invalidUTF8IsRefused() async throws {
        try await Self.live { client, port, key in
            // In a JSON body: not valid JSON (RFC 8259 requires UTF-8).
            for (path, field) in [("/v1/search", "query"), ("/v1/parse", "query"), ("/v1/analyze", "url"), ("/v1/similar", "url")] {
                var body = ByteBuffer(string: #"{"\#(field)": "http://example.com/"#)
                body.writeBytes([0xFF, 0xFE, 0xC3])
                body.writeString(#"a.mp3"}"#)
                let response = try await client.execute(
                    uri: path, method: .post, headers: [.contentType: "application/json", .xAPIKey: key], body: body)
                #expect(response.status == .badRequest, "\(path): \(response.status) \(response.text)")
            }
            // Percent-encoded in the query string.
            let search = try await client.execute(uri: "/v1/search?q=techno%FF%FE", method: .get, headers: [.xAPIKey: key])
            #expect(search.status == .badRequest, "\(search.status) \(search.text)")
            // Raw bytes in the path and in a header.
            var head = ByteBuffer(string: "GET /v1/tracks/local:")
            head.writeBytes([0xFF, 0xC3, 0x28])
            head.writeString(" HTTP/1.1\r\nHost: localhost\r\nX-API-Key: \(key)\r\nConnection: close\r\n\r\n")
            let path = try await RawExchange.run(port: port) { [head] writer in try await writer.write(head) }
            #expect(path.statuses.count <= 1)
            var badKey = ByteBuffer(string: "GET /v1/keys HTTP/1.1\r\nHost: localhost\r\nX-API-Key: mf_live_")
            badKey.writeBytes([0xFF, 0xFE, 0xFD])
            badKey.writeString("\r\nConnection: close\r\n\r\n")
            let header = try await RawExchange.run(port: port) { [badKey] writer in try await writer.write(badKey) }
            #expect(header.statuses == [401] || (header.statuses.isEmpty && header.closedByServer), "\(header.text.prefix(300))")
            try await Self.expectRefusedAndStillServing(path, client, key: key)
            try await Self.expectRefusedAndStillServing(header, client, key: key)
        }
    }

    /// PostgreSQL's text cannot hold NUL: an id or name with one is found nowhere (404), not a query the
    /// database refuses (500).
    @Test func idsAndNamesWithNULFindNothing() async throws {
        let app = try await TestApp.shared()
        let admin = try await app.createKey(tier: .enterprise, admin: true).secret
        try await app.test { client in
            let json: HTTPFields = [.contentType: "application/json", .xAPIKey: admin]
            let requests: [(String, HTTPRequest.Method, String?)] = [
                ("/v1/tracks/local:a%00b", .get, nil), ("/v1/tracks/jamendo:%00", .get, nil), ("/v1/keys/key_%00", .delete, nil),
                ("/v1/keys/key_%00/rotate", .post, "{}"), ("/v1/admin/usage?account=a%00", .get, nil),
                ("/v1/similar", .post, #"{"track_id": "local:a\u0000b"}"#),
            ]
            for (uri, method, body) in requests {
                let response = try await client.execute(uri: uri, method: method, headers: json, body: body.map { ByteBuffer(string: $0) })
                #expect(response.status == .notFound, "\(method) \(uri): \(response.status) \(response.text)")
            }
        }
    }

    @Test func bodiesOverTheCapAreRefusedBeforeTheyAreRead() async throws {
        try await Self.live { client, port, key in
            // A declared length over the cap: refused on the head alone, no byte of the body sent.
            let declared = try await RawExchange.run(port: port) { writer in
                try await writer.write(
                    Self.head("POST /v1/search", key: key, "Content-Type: application/json\r\nContent-Length: \(8 * 1024 * 1024)\r\n\r\n"))
            }
            #expect(declared.statuses.first == 413, "\(declared.text.prefix(300))")
            #expect(declared.text.contains("PAYLOAD_TOO_LARGE"))
            // A chunked body counted as it comes.
            let chunked = try await RawExchange.run(port: port) { writer in
                try await writer.write(
                    Self.head(
                        "POST /v1/search", key: key,
                        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"))
                let chunk = String(repeating: " ", count: 64 * 1024)
                for _ in 0..<32 {
                    try await writer.write(ByteBuffer(string: String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n"))
                }
                try await writer.write(ByteBuffer(string: "0\r\n\r\n"))
            }
            #expect(chunked.statuses.first == 413, "\(chunked.text.prefix(300))")
            try await Self.expectRefusedAndStillServing(declared, client, key: key)
            try await Self.expectRefusedAndStillServing(chunked, client, key: key)
        }
    }
}

/// What the server sent back on one raw TCP connection.
struct RawExchange: Sendable {
    var received: [UInt8]
    /// The server closed the connection (or reset it) before the test gave up waiting.
    var closedByServer: Bool

    var text: String { String(decoding: received, as: UTF8.self) }

    /// The status code of each response in what was received, in order.
    var statuses: [Int] {
        text.components(separatedBy: "\r\n").compactMap { line -> Int? in
            guard line.hasPrefix("HTTP/1.1 "), line.count >= 12 else { return nil }
            return Int(line.dropFirst(9).prefix(3))
        }
    }

    /// Connects to the server on loopback, runs `write` while reading everything the server sends, and
    /// returns once the server has closed the connection, or after `timeout` at the latest.
    ///
    /// A write that fails because the server has already closed the connection is not an error: that is
    /// one of the answers these tests accept.
    static func run(
        port: Int, timeout: Duration = .seconds(60),
        _ write: @escaping @Sendable (NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> Void
    ) async throws -> RawExchange {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "localhost", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let received = NIOLockedValueBox<[UInt8]>([])
        let closed = NIOLockedValueBox(false)
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Bool?.self) { group in
                    group.addTask {
                        try? await write(outbound)
                        return nil
                    }
                    group.addTask {
                        do {
                            for try await chunk in inbound {
                                received.withLockedValue { $0.append(contentsOf: chunk.readableBytesView) }
                            }
                        } catch {
                            // A reset after the server's answer: closed all the same.
                        }
                        return true
                    }
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        return false
                    }
                    while let outcome = try await group.next() {
                        guard let outcome else { continue }
                        closed.withLockedValue { $0 = outcome }
                        break
                    }
                    group.cancelAll()
                }
            }
        } catch ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed {
            // Closing a connection the server has closed already.
        }
        return RawExchange(received: received.withLockedValue { $0 }, closedByServer: closed.withLockedValue { $0 })
    }
}
