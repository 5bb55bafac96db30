import Catalogs
import Foundation
import TestSupport
import Testing

/// The address guard and the downloader, against a local HTTP server (Python's, started by the test).
@Suite struct DownloadTests {
    @Test(arguments: [
        "http://127.0.0.1/a.mp3", "http://localhost:8080/a.mp3", "http://10.1.2.3/a", "http://172.20.0.1/a",
        "http://192.168.1.1/a", "http://169.254.169.254/latest/meta-data", "http://100.64.0.1/a", "http://0.0.0.0/a",
        "http://[::1]/a", "http://[fe80::1]/a", "http://[fd00::1]/a", "http://[::ffff:127.0.0.1]/a",
        "http://224.0.0.1/a",
    ])
    func internalAddressesAreRefused(url: String) throws {
        let parsed = try #require(URL(string: url))
        do {
            try AddressGuard().check(parsed)
            Issue.record("\(url) passed the guard")
        } catch {
            #expect(error.code == "URL_NOT_ALLOWED", "\(error)")
        }
    }

    @Test(arguments: ["ftp://example.com/a.mp3", "file:///etc/passwd", "http:///nohost", "gopher://x/"])
    func onlyHTTPAndHTTPSAreAccepted(url: String) throws {
        let parsed = try #require(URL(string: url))
        #expect(throws: DownloadError.invalidURL(parsed.absoluteString)) { try AddressGuard().check(parsed) }
    }

    @Test func publicAddressesPass() throws {
        try AddressGuard().check(try #require(URL(string: "http://93.184.216.34/a.mp3")))
        try AddressGuard().check(try #require(URL(string: "https://[2606:2800:220:1:248:1893:25c8:1946]/a")))
    }

    @Test func loopbackIsAllowedOnlyWhenConfigured() throws {
        try AddressGuard(allowPrivateAddresses: true).check(try #require(URL(string: "http://127.0.0.1:9/a")))
    }

    @Test func downloadsFollowRedirectsAndEnforceTheCap() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        // Only `impatient` is meant to time out (on `/slow`); the others' answers come at once, so a timeout
        // that only a hang reaches keeps a loaded machine from failing them.
        let downloader = AudioDownloader(maxBytes: 10_000, timeout: .seconds(60), allowPrivateAddresses: true)
        let impatient = AudioDownloader(timeout: .seconds(1), allowPrivateAddresses: true)
        do {
            #expect(try await downloader.download(server.url("/bytes/5000")).count == 5_000)
            #expect(try await downloader.download(server.url("/redirect/2")).count == 1_000)
            await #expect(throws: DownloadError.tooManyRedirects) { try await downloader.download(server.url("/redirect/9")) }
            await #expect(throws: DownloadError.tooLarge(limit: 10_000)) {
                try await downloader.download(server.url("/bytes/20000"))
            }
            await #expect(throws: DownloadError.tooLarge(limit: 10_000)) {
                try await downloader.download(server.url("/chunked/20000"))
            }
            await #expect(throws: DownloadError.status(404)) { try await downloader.download(server.url("/missing")) }
            await #expect(throws: DownloadError.timedOut) { try await impatient.download(server.url("/slow")) }
        }
    }

    @Test func theGuardAppliesToEveryHop() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let guarded = AudioDownloader()
        // Without the allowance the first hop (loopback) is refused before any connection.
        await #expect(throws: DownloadError.forbiddenAddress(host: "127.0.0.1")) {
            try await guarded.download(server.url("/bytes/10"))
        }
    }
}

/// A small HTTP server in Python: `/bytes/N`, `/chunked/N` (no length), `/redirect/N` (N hops, then
/// 1,000 bytes), `/slow` (answers after 60 s, far past the impatient timeout); anything else 404.
struct LocalHTTPServer {
    let port: Int
    let process: SpawnedProcess

    static let script = #"""
        import http.server, sys, time
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def do_GET(self):
                parts = self.path.strip("/").split("/")
                if parts[0] == "bytes":
                    body = b"x" * int(parts[1])
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
                elif parts[0] == "chunked":
                    self.send_response(200); self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
                    for _ in range(int(parts[1]) // 1000):
                        self.wfile.write(b"3e8\r\n" + b"y" * 1000 + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                elif parts[0] == "redirect":
                    hops = int(parts[1])
                    self.send_response(302); self.send_header("Location", "/redirect/%d" % (hops - 1) if hops > 0 else "/bytes/1000")
                    self.send_header("Content-Length", "0"); self.end_headers()
                elif parts[0] == "slow":
                    time.sleep(60); self.send_response(200); self.send_header("Content-Length", "1"); self.end_headers(); self.wfile.write(b"z")
                else:
                    self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
        server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
        open(sys.argv[2], "w").close()
        server.serve_forever()
        """#

    static func start() async throws -> LocalHTTPServer {
        let folder = try Processes.makeTemporaryDirectory("http")
        try script.write(toFile: folder + "/server.py", atomically: true, encoding: .utf8)
        // A free port can be taken by another test's server before ours binds it: then ours exits and
        // another port is tried. Ready is when ours says it holds the port (a file it writes), not when
        // something listens there, which could be that other server.
        for _ in 1...5 {
            let port = try Processes.freePort()
            let ready = folder + "/ready-\(port)"
            let process = try SpawnedProcess(
                executable: "/usr/bin/python3", arguments: [folder + "/server.py", String(port), ready], logFile: folder + "/log")
            do {
                try await Processes.wait(for: .seconds(60), what: "the HTTP server") {
                    FileManager.default.fileExists(atPath: ready) || !process.isRunning
                }
            } catch {
                process.signal(SIGKILL)
                throw error
            }
            if process.isRunning { return LocalHTTPServer(port: port, process: process) }
        }
        throw HarnessError("the HTTP server did not start: see \(folder)/log")
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() { process.signal(SIGKILL) }
}
