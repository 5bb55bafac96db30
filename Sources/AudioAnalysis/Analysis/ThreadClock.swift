import Foundation

/// The calling thread's CPU time, and the process's peak memory.
public enum ThreadClock {
    /// Milliseconds of CPU time used by this thread.
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1_000_000
    }

    /// Peak resident memory (VmHWM) from /proc/self/status. Not getrusage: on Linux a spawned child's
    /// ru_maxrss starts from its parent's peak, which would report the server's memory as the worker's.
    public static func peakRSSMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return (kilobytes / 1024 * 10).rounded() / 10
    }
}
