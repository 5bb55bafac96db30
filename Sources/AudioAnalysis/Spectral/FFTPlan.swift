import CFFTW
import Synchronization

/// A real-to-complex FFTW plan of one size, made once per process and shared by every thread.
///
/// FFTW's planner is not thread-safe, so plans are made under one lock (`FFTPlanner`); executing a
/// plan on new arrays (`fftwf_execute_dft_r2c`) is thread-safe, so each caller brings its own buffers.
public final class FFTPlan: @unchecked Sendable {
    // @unchecked: the plan is immutable after creation and FFTW documents new-array execution of one
    // plan from several threads as safe.
    public let size: Int
    private let plan: fftwf_plan

    fileprivate init(size: Int) {
        self.size = size
        let input = fftwf_alloc_real(size)!
        let output = fftwf_alloc_complex(size / 2 + 1)!
        defer {
            fftwf_free(input)
            fftwf_free(output)
        }
        // FFTW_ESTIMATE: planning is instant and deterministic; FFTW_UNALIGNED: callers' arrays need no
        // particular alignment.
        plan = fftwf_plan_dft_r2c_1d(Int32(size), input, output, UInt32(FFTW_ESTIMATE | FFTW_UNALIGNED))!
    }

    /// Transforms `input` (`size` reals) into `output` (`size / 2 + 1` complex values as pairs).
    func execute(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<fftwf_complex>) {
        fftwf_execute_dft_r2c(plan, input, output)
    }
}

/// Makes and keeps FFTW plans, one per size, serialising FFTW's planner.
public final class FFTPlanner: Sendable {
    private let plans = Mutex<[Int: FFTPlan]>([:])
    /// FFTW's planner is one per process, however many `FFTPlanner`s there are: every plan is made
    /// under this one lock.
    fileprivate static let fftw = Mutex(())

    public init() {}

    /// The plan for transforms of `size` points (even), made on first use.
    public func plan(size: Int) -> FFTPlan {
        plans.withLock { plans in
            if let plan = plans[size] { return plan }
            let plan = Self.fftw.withLock { _ in FFTPlan(size: size) }
            plans[size] = plan
            return plan
        }
    }
}
