import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

// Foundation's FileHandle lives in swift-corelibs-foundation, which vmctl does
// not link (it costs every process start-up time: Docs/benchmarks.md). These
// are the file reads and the standard-error writes the package needs, over POSIX.

/// A file opened for reading (`open(2)`), closed when the value goes away.
package final class ReadableFile {
    private let descriptor: Int32

    /// Opens `path` read-only; nil when it cannot be opened.
    package init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes from the current offset; empty at the end of the file.
    package func read(upTo count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, count) }
            if got < 0, errno == EINTR { continue }
            buffer.removeLast(count - max(0, got))
            return buffer
        }
    }

    /// Everything from the current offset to the end of the file.
    package func readToEnd() -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            let chunk = read(upTo: 1 << 16)
            if chunk.isEmpty { return bytes }
            bytes += chunk
        }
    }

    /// The file's size in bytes (`fstat`). Not FileManager's `.size`
    /// attribute: without Foundation it is a `UInt`, which `as? UInt64` misses.
    package var size: UInt64 {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? UInt64(max(0, status.st_size)) : 0
    }

    /// Moves to `offset` bytes from the start (`lseek`).
    package func seek(to offset: UInt64) { lseek(descriptor, off_t(offset), SEEK_SET) }

    /// Moves to the end and returns the file's size.
    package func seekToEnd() -> UInt64 { UInt64(max(0, lseek(descriptor, 0, SEEK_END))) }
}

/// Writes `text` to standard error (`write(2)`), all of it.
package func writeStandardError(_ text: String) { writeAll(Array(text.utf8), to: STDERR_FILENO) }

/// Writes `bytes` to standard output unbuffered (`write(2)`), all of them.
package func writeStandardOutput(_ bytes: [UInt8]) { writeAll(bytes, to: STDOUT_FILENO) }

private func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
    var rest = bytes[...]
    while !rest.isEmpty {
        let written = rest.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            return
        }
        rest = rest.dropFirst(written)
    }
}

/// A file-system error in the system's words ("No such file or directory"):
/// FoundationEssentials reports POSIX failures as a `CocoaError` whose own
/// description is a dump of its fields.
package func describeFileError(_ error: any Error) -> String {
    let posix = (error as? CocoaError)?.underlying as? POSIXError ?? error as? POSIXError
    if let posix { return String(cString: strerror(posix.code.rawValue)) }
    return "\(error)"
}
