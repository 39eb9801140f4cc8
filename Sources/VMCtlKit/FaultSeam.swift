import FoundationEssentials
import Libvirt
#if canImport(Glibc)
import Glibc
#endif

/// A test-only seam: with `VMCTL_FAULT_KILL_AT=N` in the environment, the
/// process kills itself with SIGKILL at the start of its Nth step, as a user's
/// `kill -9` or a power cut would. Without the variable it does nothing.
///
/// A step is each line a command reports as it applies its plan: every
/// `ProgressReporter` (the CLI's and `SilentProgress`) calls ``step()`` once
/// per line, so the count is the same with or without `--quiet`. The fault
/// test (Tests/IntegrationTests/FaultTests.swift) kills each command at each
/// step in turn, then checks that a rerun finishes the job and that the
/// command's delete leaves nothing.
public enum FaultSeam {
    /// The step to die at, from `VMCTL_FAULT_KILL_AT`; nil (the seam is off) unless a positive integer.
    static let killAt: Int? = ProcessInfo.processInfo.environment["VMCTL_FAULT_KILL_AT"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }

    private static let counter = Counter()

    /// Counts one step; at the chosen one, says so on stderr and kills the process.
    public static func step() {
        guard let killAt, counter.next() == killAt else { return }
        let line = "vmctl: fault seam: killed at step \(killAt)\n"
        _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        kill(getpid(), SIGKILL)
    }

    /// A transfer's progress callback with one more step in it, once half
    /// the bytes have arrived: a kill there leaves a partial download.
    public static func midTransfer(_ report: ((UInt64, UInt64) -> Void)?) -> ((UInt64, UInt64) -> Void)? {
        guard killAt != nil else { return report }
        let halfway = Counter()
        return { done, total in
            if total > 0, done >= total / 2, halfway.next() == 1 { step() }
            report?(done, total)
        }
    }

    /// Steps are reported from several threads at once (lab up's workers).
    private final class Counter: @unchecked Sendable {
        private let lock = Lock()
        private var count = 0
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            count += 1
            return count
        }
    }
}
