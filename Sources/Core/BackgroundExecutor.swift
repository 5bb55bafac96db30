import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A thread of its own, at a lower scheduling priority, for background work in the server (the usage
/// drain): its bursts of CPU no longer hold up an event loop serving requests, and the kernel lets a
/// request in ahead of it.
///
/// Tasks run here through a task executor preference (`withTaskExecutorPreference`); their I/O still
/// happens on SwiftNIO's event loops. The thread lives as long as the process.
public final class BackgroundExecutor: TaskExecutor, Sendable {
    private let jobs = Mutex<[UnownedJob]>([])
    private let wakeUp = DispatchSemaphore(value: 0)

    /// Added to the thread's nice value (0 to 19; higher yields more readily).
    static let niceness: Int32 = 10

    public init(name: String) {
        let thread = Thread { [self] in
            #if os(Linux)
                // The nice value is per thread on Linux: `who` 0 is the calling thread alone.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
            #endif
            run()
        }
        thread.name = name
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        wakeUp.signal()
    }

    private func run() {
        while true {
            wakeUp.wait()
            let batch = jobs.withLock { jobs -> [UnownedJob] in
                defer { jobs.removeAll(keepingCapacity: true) }
                return jobs
            }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
