import CLibvirt
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide libvirt set-up, done once before the first call.
public enum Library {
    private static let setUp: Void = {
        // Silence libvirt's default error printer: errors reach callers as
        // thrown LibvirtError values, never on stderr behind their back.
        virSetErrorFunc(nil, { _, _ in })
        _ = virInitialize()
        // The default event loop must be registered before the first
        // connection is opened, or events and keepalive never fire.
        if virEventRegisterDefaultImpl() == 0 {
            detachThread {
                while true {
                    if virEventRunDefaultImpl() < 0 { usleep(100_000) }
                }
            }
        }
    }()

    /// Silences the error printer, initialises libvirt and starts its default
    /// event loop on a thread of its own. Idempotent; every call site in this
    /// module runs it, so callers never need to.
    /// The corresponding C functions are `virSetErrorFunc`, `virInitialize`,
    /// `virEventRegisterDefaultImpl` and `virEventRunDefaultImpl`.
    public static func initialize() { _ = setUp }

    /// Runs `body`, which makes blocking libvirt calls, on a new thread
    /// outside Swift's cooperative pool, and resumes the awaiting task with
    /// its result. Every libvirt call blocks until the driver answers (for a
    /// remote daemon, a network round trip or a long job); made directly from
    /// async code, each one holds one of the pool's few threads meanwhile.
    /// Keep all the calls of one step in one `body`: they run on one thread,
    /// as libvirt's per-thread errors need.
    public static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            // A thread of its own: a blocked body never waits for another to
            // end (Dispatch's global queues on Linux start threads slowly).
            detachThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// The version of the libvirt library loaded in this process.
    /// The corresponding C function is `virGetVersion`.
    public static func version() throws -> Version {
        var value: UInt = 0
        try Call.status { virGetVersion(&value, nil, nil) }
        return Version(encoded: UInt64(value))
    }
}

/// A libvirt-style version number, encoded as `major * 1,000,000 + minor * 1,000 + release`.
public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var major: Int
    public var minor: Int
    public var release: Int

    public init(major: Int, minor: Int, release: Int) {
        self.major = major
        self.minor = minor
        self.release = release
    }

    public init(encoded: UInt64) {
        self.init(major: Int(encoded / 1_000_000), minor: Int(encoded / 1000 % 1000), release: Int(encoded % 1000))
    }

    public var description: String { "\(major).\(minor).\(release)" }

    public static func < (lhs: Version, rhs: Version) -> Bool {
        (lhs.major, lhs.minor, lhs.release) < (rhs.major, rhs.minor, rhs.release)
    }
}
