import AnalysisWorkers
import AudioAnalysis
import ServiceLifecycle

/// Runs the analysis worker pool for the server's lifetime: at graceful shutdown (after the HTTP server
/// has stopped, as services stop in reverse order) waiting jobs are failed, running ones finish and the
/// workers are stopped.
public struct AnalysisPoolService: Service {
    public let pool: AnalysisPool

    public init(pool: AnalysisPool) { self.pool = pool }

    public func run() async throws {
        try? await gracefulShutdown()
        pool.shutdown()
    }
}
