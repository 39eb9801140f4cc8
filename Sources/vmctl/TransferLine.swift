import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

/// A copy's progress on stderr, one line rewritten in place:
/// `vmctl: importing disk.qcow2: 1.0 GiB of 4.0 GiB (25%), 256.0 MiB/s, 0:12 left`.
/// Only on a live terminal and without `--quiet`; piped, it prints nothing.
enum TransferLine {
    static func meter(_ label: String, quiet: Bool) -> TransferMeter? {
        guard !quiet, LiveProgress.stderrIsLiveTerminal else { return nil }
        return TransferMeter { text, finished in
            writeStandardError("\r\u{1B}[2Kvmctl: \(label): \(text)\(finished ? "\n" : "")")
        }
    }
}
