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

/// The one way vmctl creates its own files and directories (state, registry,
/// downloads, locks, caches, serial logs): explicit modes whatever the umask,
/// never through a symbolic link, and never truncating a file it did not make.
/// Docs/ownership.md lists what goes through here.
package enum OwnedFiles {
    /// Makes `path` and any missing parents (`mkdir(2)`) with `mode`, set again
    /// with `chmod(2)` so the umask cannot widen or narrow it. A directory that
    /// already exists keeps its mode: vmctl did not make it, and a symbolic link
    /// to one (/home on some hosts) is the host's own layout, so it is followed.
    package static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(VMCtlError) {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            var info = stat()
            if stat(partial, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw VMCtlError("creating \(path): \(partial) exists and is \(InputFile.kind(info.st_mode)), not a directory")
                }
                continue
            }
            guard mkdir(partial, mode) == 0 else {
                if errno == EEXIST { continue }  // made by another process meanwhile: not ours to chmod
                throw VMCtlError("creating \(partial): \(String(cString: strerror(errno)))")
            }
            // Through a descriptor of the directory just made, never a link put in its place.
            let made = open(partial, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if made >= 0 {
                fchmod(made, mode)
                close(made)
            }
        }
    }

    /// Creates `path`, which must not exist (`O_CREAT | O_EXCL | O_NOFOLLOW`), with
    /// `mode` set by `fchmod(2)`; returns the open descriptor (write-only).
    package static func createNew(_ path: String, mode: mode_t = 0o600) throws(VMCtlError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw VMCtlError("creating \(path): \(String(cString: strerror(errno)))") }
        fchmod(descriptor, mode)
        return descriptor
    }

    /// Opens `path` to add to it (`O_APPEND`), creating it with `mode` when absent.
    /// An existing file must be a regular file (`O_NOFOLLOW`, then `fstat`): a
    /// symbolic link or a device is refused, never followed.
    package static func openAppending(_ path: String, mode: mode_t = 0o600) throws(VMCtlError) -> Int32 {
        try openOwned(path, flags: O_WRONLY | O_APPEND, mode: mode)
    }

    /// Opens (or creates with `mode`) a lock file read-write, as `openAppending` does.
    package static func openLockFile(_ path: String, mode: mode_t = 0o600) throws(VMCtlError) -> Int32 {
        try openOwned(path, flags: O_RDWR, mode: mode)
    }

    private static func openOwned(_ path: String, flags: Int32, mode: mode_t) throws(VMCtlError) -> Int32 {
        var descriptor = open(path, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        if descriptor >= 0 {
            fchmod(descriptor, mode)
            return descriptor
        }
        guard errno == EEXIST else { throw VMCtlError("creating \(path): \(String(cString: strerror(errno)))") }
        descriptor = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ELOOP ? "is a symbolic link; vmctl does not follow it" : String(cString: strerror(errno))
            throw VMCtlError("opening \(path): \(reason)")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw VMCtlError("opening \(path): \(InputFile.kind(info.st_mode)), not a regular file; vmctl does not write to it")
        }
        return descriptor
    }

    /// Replaces `path` whole with `bytes`: a new file beside it (`createNew`, so
    /// with `mode`), then `rename(2)` over it, so a reader sees one version or the
    /// other and a symbolic link at `path` is replaced, not followed.
    package static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o600) throws(VMCtlError) {
        let temporary = path + ".new-\(getpid())"
        unlink(temporary)  // left by a process of this id that died: a file of ours
        let descriptor = try createNew(temporary, mode: mode)
        var rest = bytes[...]
        while !rest.isEmpty {
            let written = rest.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(temporary)
                throw VMCtlError("writing \(temporary): \(reason)")
            }
            rest = rest.dropFirst(written)
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw VMCtlError("writing \(path): \(reason)")
        }
    }
}
