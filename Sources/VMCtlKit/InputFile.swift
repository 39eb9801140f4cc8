import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Files a user names (images, kernels, keys, plans, XML, user-data), checked
/// before use: opened without blocking, so a FIFO or a device cannot hang
/// vmctl, refused unless they are regular files, and read up to a bound.
/// Messages name the field, echo at most 200 characters of the path and
/// never the file's contents.
public enum InputFile {
    /// The most any text input (plan, XML, user-data, key list) may hold.
    public static let textLimit = 16 << 20

    /// What `path` is when it is not a regular file, in a user's words.
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }

    static func shown(_ path: String) -> String { path.count > 200 ? "\(path.prefix(200))…" : path }

    /// Opens `path` read-only and without blocking and checks it is a regular
    /// file; the caller closes the descriptor.
    static func open(_ path: String, field: InputField) throws(VMCtlError) -> Int32 {
        guard path.hasPrefix("/") else {
            throw .invalid(field: field, "\"\(shown(path))\" is not allowed: must be an absolute path")
        }
        let descriptor = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "does not exist" : "cannot be opened: \(String(cString: strerror(errno)))"
            throw .invalid(field: field, "'\(shown(path))' \(reason)")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            let what = kind(info.st_mode)
            close(descriptor)
            throw .invalid(field: field, "'\(shown(path))' is \(what), not a regular file")
        }
        return descriptor
    }

    /// Checks that `path` is an absolute path to a regular file this process can open.
    public static func requireRegular(_ path: String, field: InputField) throws(VMCtlError) {
        close(try open(path, field: field))
    }

    /// The bytes of a regular file of at most `limit` bytes.
    public static func read(_ path: String, field: InputField, limit: Int = textLimit) throws(VMCtlError) -> Data {
        let descriptor = try open(path, field: field)
        defer { close(descriptor) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .invalid(field: field, "cannot read '\(shown(path))': \(String(cString: strerror(errno)))")
            }
            if count == 0 { return data }
            guard data.count + count <= limit else {
                throw .invalid(field: field, "'\(shown(path))' is larger than \(limit >> 20) MiB")
            }
            data.append(contentsOf: buffer[..<count])
        }
    }

    /// The UTF-8 text of a regular file of at most `limit` bytes.
    public static func readText(_ path: String, field: InputField, limit: Int = textLimit) throws(VMCtlError) -> String {
        guard let text = String(data: try read(path, field: field, limit: limit), encoding: .utf8) else {
            throw .invalid(field: field, "'\(shown(path))' is not UTF-8 text")
        }
        return text
    }
}

/// A path the user gave that vmctl or libvirt will read: a regular file.
func requireReadableFile(_ path: String, field: InputField) throws(VMCtlError) {
    try InputFile.requireRegular(path, field: field)
}
