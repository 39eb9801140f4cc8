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
        initializeXMLLibrary()
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

    /// libvirt parses and validates XML with libxml2 but never sets libxml2
    /// up, and libxml2 2.9 (Debian 12's) sets itself up lazily, on first use,
    /// without a lock: connections opened, or documents validated, on several
    /// threads at once each build libxml2's globals and leak all but one set
    /// (LeakSanitizer caught both in CI). libxml2 asks threaded programs to call
    /// `xmlInitParser` once before parsing; `xmlRelaxNGInitTypes` builds the
    /// type tables that validation (`VIR_*_VALIDATE`) uses. libxml2 is already
    /// loaded as libvirt's dependency; looking the symbols up keeps it out of
    /// the link line and the package's dependencies.
    private static func initializeXMLLibrary() {
        #if canImport(Glibc)
        typealias Initializer = @convention(c) () -> Void
        for name in ["xmlInitParser", "xmlRelaxNGInitTypes"] {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { continue }
            unsafeBitCast(symbol, to: Initializer.self)()
        }
        #endif
    }

    /// Silences the error printer, initialises libxml2 and libvirt and starts its default
    /// event loop on a thread of its own. Idempotent; every call site in this
    /// module runs it, so callers never need to.
    /// The corresponding C functions are `xmlInitParser` and `xmlRelaxNGInitTypes` (libxml2's), `virSetErrorFunc`, `virInitialize`,
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
