import FoundationEssentials
import TextSupport

/// A lab's `serial_dir`: checked before anything is made. The log files in it,
/// and `--serial-file`, are checked by ``SerialLogFile/rule(_:domain:local:pendingDirectories:)``.
enum SerialLogPath {
    /// Why `path` cannot be made the directory of serial logs, or nil: it is
    /// a directory already, or it can be made under its nearest existing
    /// ancestor, which must be a directory.
    static func directoryRule(_ path: String) -> String? {
        var current = path
        while current.count > 1 {
            switch isDirectory(current) {
            case true?: return nil
            case false?:
                return current == path ? "\(path.prefix(200)) is not a directory" : "\(path.prefix(200)) cannot be made: \(current.prefix(200)) is not a directory"
            case nil: current = current.deletingLastPathComponent
            }
        }
        return nil
    }

    /// Whether something is at `path` and is a directory; nil when nothing is.
    static func isDirectory(_ path: String) -> Bool? {
        var directory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &directory) else { return nil }
        return directory
    }
}
