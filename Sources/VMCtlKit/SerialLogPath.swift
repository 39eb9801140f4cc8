import FoundationEssentials
import TextSupport

/// Where a guest's serial console is logged (`--serial-file`, a lab's
/// `serial_dir`): checked before anything is made, so QEMU is never asked to
/// open a file it cannot create when the guest starts.
enum SerialLogPath {
    /// Why `path` cannot be a serial log file, or nil: it must be absolute,
    /// not name a directory, and sit in an existing directory, or in one of
    /// `madeFirst` (directories the caller creates before the guest).
    static func fileRule(_ path: String, madeFirst: Set<String> = []) -> String? {
        guard path.hasPrefix("/") else { return "\"\(path.prefix(80))\" is not allowed: must be an absolute path" }
        if path.hasSuffix("/") || isDirectory(path) == true {
            return "\(path.prefix(200)) is a directory; give the path of a file in it"
        }
        let parent = path.deletingLastPathComponent
        if madeFirst.contains(parent) { return nil }
        switch isDirectory(parent) {
        case nil: return "\(path.prefix(200)) is not allowed: its directory \(parent.prefix(200)) does not exist"
        case false?: return "\(path.prefix(200)) is not allowed: \(parent.prefix(200)) is not a directory"
        case true?: return nil
        }
    }

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
