import Dispatch

/// Blocking work (a libvirt call that may never return) with a limit on the wait.
/// The one worker-with-a-deadline of the project: the host check's libvirtd
/// probe and shell completions use it.
public enum Deadline {
    /// Runs `work` off the calling thread and waits at most `seconds` for its
    /// answer: nil when none came in time. The work is not cancelled, only no
    /// longer waited for; the caller reports that or exits.
    public static func answer<T: Sendable>(within seconds: Double, _ work: @escaping @Sendable () -> T) -> T? {
        let box = AnswerBox<T>()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            box.value = work()
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return box.value
    }
}

/// Carries the answer from the worker; the semaphore orders the accesses.
private final class AnswerBox<T>: @unchecked Sendable {
    var value: T?
}
