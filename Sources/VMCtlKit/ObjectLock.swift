import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on one libvirt object, held by one vmctl process of this
/// machine at a time: `flock(2)` on a file named after the connection's URI,
/// the object's kind and its name. Another vmctl process that wants the same
/// object waits (bounded) or is refused. It does not cover other machines, nor
/// virsh or any other libvirt client: libvirt itself has no such lock.
/// The lock is released when the value is released or the process ends.
public final class ObjectLock: @unchecked Sendable {
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Where lock files live: /run/vmctl/locks for root, else a folder of the user's own.
    public static var directory: String {
        if let override = ProcessInfo.processInfo.environment["VMCTL_LOCK_DIR"], !override.isEmpty { return override }
        if getuid() == 0 { return "/run/vmctl/locks" }
        let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"] ?? "/tmp/vmctl-\(getuid())"
        return runtime + "/vmctl/locks"
    }

    /// The lock file's name: readable kind and name, and a hash that tells URIs apart.
    static func fileName(uri: String, kind: String, name: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, 64 bits
        for byte in "\(uri)\u{0}\(kind)\u{0}\(name)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let safe = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        }.prefix(64))
        return "\(kind)-\(safe)-\(String(hash, radix: 16)).lock"
    }

    /// Takes the lock on `kind` `name` at `uri`, waiting up to `timeout` seconds
    /// while another vmctl process holds it; `waiting` is called once if it must wait.
    public static func acquire(
        uri: String, kind: String, name: String, timeout: Double = 600, directory: String = ObjectLock.directory,
        waiting: (() -> Void)? = nil
    ) throws(VMCtlError) -> ObjectLock {
        let path = directory + "/" + fileName(uri: uri, kind: kind, name: name)
        // Lock files stay: removing one while another process waits on it would split the lock.
        let descriptor: Int32
        do {
            try OwnedFiles.makeDirectory(directory)
            descriptor = try OwnedFiles.openLockFile(path)
        } catch {
            throw VMCtlError("locking \(kind) '\(name)': \(error.message)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        var announced = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw VMCtlError("locking \(kind) '\(name)': flock \(path): \(reason)")
            }
            guard Date() < deadline else {
                close(descriptor)
                throw VMCtlError(
                    "\(kind) '\(name)': another vmctl process has held its lock for over \(cFormat("%g", timeout)) s (\(path)); wait for it, or stop it",
                    status: .failure)
            }
            if !announced {
                announced = true
                waiting?()
            }
            usleep(50_000)
        }
        return ObjectLock(path: path, descriptor: descriptor)
    }
}
