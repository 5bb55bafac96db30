import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A local HTTP server that answers with responses a test scripts, standing in for a third-party API
/// (an LLM provider, a catalogue). The test writes the exact bodies the provider documents; the server
/// records every request so the test can check what was sent.
///
/// Responses are served in order: each request gets the first one still queued whose `path` prefix
/// it matches (or that has none); one marked `repeats` stays to answer every further such request.
/// With nothing scripted the server answers 599, so a test never passes by accident.
public final class ScriptedHTTPServer: Sendable {
    public let port: Int
    public let directory: String
    private let process: SpawnedProcess
    private let version = VersionCounter()

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public struct Response: Encodable, Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
        /// Seconds to wait before answering.
        public var delay: Double
        /// Keep answering with this one once it is reached.
        public var repeats: Bool
        /// Serve this file's bytes instead of `body` (audio).
        public var file: String?
        /// Answer only requests whose path starts with this; nil answers any.
        public var path: String?

        public init(
            status: Int = 200, headers: [String: String] = [:], body: String, delay: Double = 0, repeats: Bool = false,
            file: String? = nil
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
            self.repeats = repeats
            self.file = file
        }

        /// The bytes of `path`, with a content type.
        public static func file(_ path: String, contentType: String, repeats: Bool = false) -> Response {
            Response(status: 200, headers: ["Content-Type": contentType], body: "", repeats: repeats, file: path)
        }

        /// The same response, only for requests whose path starts with `prefix`.
        public func only(for prefix: String) -> Response {
            var copy = self
            copy.path = prefix
            return copy
        }

        /// A JSON body from any `JSONSerialization` object.
        public static func json(
            _ object: Any, status: Int = 200, headers: [String: String] = [:], delay: Double = 0, repeats: Bool = false
        ) -> Response {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            var allHeaders = headers
            allHeaders["Content-Type"] = allHeaders["Content-Type"] ?? "application/json"
            return Response(
                status: status, headers: allHeaders, body: String(decoding: data, as: UTF8.self), delay: delay, repeats: repeats)
        }
    }

    /// One request the server received.
    public struct Request: Decodable, Sendable {
        public var method: String
        public var path: String
        /// Lower-case names.
        public var headers: [String: String]
        public var body: String

        /// The body parsed as a JSON object.
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
    }

    static let script = #"""
        import http.server, json, os, sys, threading, time
        folder, port = sys.argv[1], int(sys.argv[2])
        lock = threading.Lock()
        state = {"version": None, "queue": []}
        def next_response(path):
            with lock:
                try:
                    with open(os.path.join(folder, "script.json")) as f:
                        script = json.load(f)
                except Exception:
                    script = {"version": -1, "responses": []}
                if script["version"] != state["version"]:
                    state["version"] = script["version"]
                    state["queue"] = list(script["responses"])
                queue = state["queue"]
                for index, response in enumerate(queue):
                    prefix = response.get("path")
                    if prefix is None or path.startswith(prefix):
                        return response if response.get("repeats") else queue.pop(index)
                return {"status": 599, "headers": {}, "body": "nothing scripted", "delay": 0}
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                record = {"method": self.command, "path": self.path, "body": body,
                          "headers": {k.lower(): v for k, v in self.headers.items()}}
                with lock:
                    with open(os.path.join(folder, "requests.jsonl"), "a") as f:
                        f.write(json.dumps(record) + "\n")
                response = next_response(self.path)
                if response.get("delay"):
                    time.sleep(response["delay"])
                if response.get("file"):
                    with open(response["file"], "rb") as f:
                        data = f.read()
                else:
                    data = response["body"].encode("utf-8")
                try:
                    self.send_response(response["status"])
                    for name, value in response.get("headers", {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            do_GET = do_POST = do_PUT = do_DELETE = handle_any
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        open(os.path.join(folder, "ready"), "w").close()
        server.serve_forever()
        """#

    private init(port: Int, directory: String, process: SpawnedProcess) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    public static func start() async throws -> ScriptedHTTPServer {
        let directory = try Processes.makeTemporaryDirectory("scripted-http")
        try script.write(toFile: directory + "/server.py", atomically: true, encoding: .utf8)
        let port = try Processes.freePort()
        let process = try SpawnedProcess(
            executable: "/usr/bin/python3", arguments: [directory + "/server.py", directory, String(port)],
            logFile: directory + "/log")
        Processes.cleanUpWhenTestsExit("kill -9 \(process.pid) 2>/dev/null; rm -rf '\(directory)'")
        do {
            // Ready when the server says it holds its port (a file it writes once bound), not when
            // something listens there: that could be another test's server that took the port first.
            try await Processes.wait(for: .seconds(60), what: "the scripted HTTP server") {
                FileManager.default.fileExists(atPath: directory + "/ready") || !process.isRunning
            }
        } catch {
            process.signal(SIGKILL)
            throw error
        }
        guard process.isRunning else {
            // Most likely the port was taken between choosing and binding: try another.
            let log = (try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? ""
            if log.contains("Address already in use") { return try await start() }
            throw HarnessError("the scripted HTTP server exited: \(log.suffix(500))")
        }
        return ScriptedHTTPServer(port: port, directory: directory, process: process)
    }

    /// Replaces the responses still to come.
    public func script(_ responses: [Response]) throws {
        struct Script: Encodable {
            var version: Int
            var responses: [Response]
        }
        let data = try JSONEncoder().encode(Script(version: version.next(), responses: responses))
        // Written whole, then renamed into place: the server never reads half a script.
        let temporary = directory + "/script.json.tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, directory + "/script.json") == 0 else { throw HarnessError("could not install the script") }
    }

    /// Every request received so far, oldest first.
    public func requests() -> [Request] {
        guard let text = try? String(contentsOfFile: directory + "/requests.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    public func stop() { process.signal(SIGKILL) }
}

private final class VersionCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
}

extension ScriptedHTTPServer.Response {
    /// The same response, answering every request from here on.
    public func repeating() -> Self {
        var copy = self
        copy.repeats = true
        return copy
    }

    /// The same response, `seconds` late.
    public func delayed(_ seconds: Double) -> Self {
        var copy = self
        copy.delay = seconds
        return copy
    }
}
