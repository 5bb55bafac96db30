import ArgumentParser
import Logging
import Metrics
import Platform
import Prometheus

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API (migrates PostgreSQL first).",
        discussion: "Needs DATABASE_URL and REDIS_URL. Stops gracefully on SIGTERM or SIGINT."
    )

    @Option(help: "Address to listen on (default: HOST or 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (default: PORT or 8080).")
    var port: Int?

    func validate() throws {
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port must be from 1 to 65535.")
        }
    }

    func run() async throws {
        var configuration = try loadConfiguration(requirements: .server)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        bootstrapLogging(level: configuration.logLevel, json: true)
        if !APIServer.runTasksOnEventLoops() {
            Logger(label: "musicforge.serve").warning(
                "Swift Concurrency could not be moved onto the event loops: requests hop between threads, and run slower")
        }
        // One registry for /metrics: our HTTP series and whatever libraries report through swift-metrics.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        do {
            try await APIServer(configuration: configuration, registry: registry).run()
        } catch {
            throw CommandFailure.work("The server stopped: \(error).")
        }
    }
}
