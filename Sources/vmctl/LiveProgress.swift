import FoundationEssentials
import Libvirt
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

/// Progress for work on several nodes at once: on a terminal, one line per
/// node (the text before the first ": "), rewritten in place as the node
/// moves on; elsewhere plain lines, as `StderrProgress` prints them.
final class LiveProgress: ProgressReporter, @unchecked Sendable {
    private let lock = Lock()
    private var order: [String] = []
    private var lines: [String: String] = [:]
    private var drawn = 0

    /// Live lines only where they can be redrawn: a terminal that is not dumb.
    static func forStderr() -> any ProgressReporter {
        stderrIsLiveTerminal ? LiveProgress() : StderrProgress()
    }

    /// Whether stderr is a terminal that can redraw a line (not piped, not `TERM=dumb`).
    static var stderrIsLiveTerminal: Bool {
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        return isatty(STDERR_FILENO) == 1 && term != "dumb" && !term.isEmpty
    }

    func step(_ message: String) {
        FaultSeam.step()
        lock.lock()
        defer { lock.unlock() }
        let key = message.firstRange(of: ": ").map { String(message[..<$0.lowerBound]) } ?? ""
        if lines[key] == nil { order.append(key) }
        lines[key] = message
        // Move up over what was drawn, then redraw every line, clearing each.
        var text = drawn > 0 ? "\u{1B}[\(drawn)A" : ""
        for key in order {
            text += "\r\u{1B}[2Kvmctl: \(lines[key] ?? "")\n"
        }
        drawn = order.count
        writeStandardError(text)
    }
}
