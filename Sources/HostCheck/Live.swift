import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// What libvirt says about a connection URI. The lead's libvirt binding
/// fills it in (`virConnectOpen`, `virConnectGetLibVersion`, capabilities);
/// `VirshHypervisorProbe` fills it in from `virsh`.
public struct HypervisorStatus: Sendable, Equatable {
    public var reachable: Bool
    /// Why the connection failed, when it did.
    public var error: String?
    /// libvirt's version, e.g. "9.0.0".
    public var libvirtVersion: String?
    /// The hypervisor's, e.g. "QEMU 7.2.22".
    public var hypervisorVersion: String?
    /// Domain types the capabilities offer for the host architecture, e.g. ["kvm", "qemu"].
    public var domainTypes: [String]
    /// Emulator for the host architecture, e.g. "/usr/bin/qemu-system-x86_64".
    public var emulatorPath: String?

    public init(reachable: Bool, error: String? = nil, libvirtVersion: String? = nil, hypervisorVersion: String? = nil,
                domainTypes: [String] = [], emulatorPath: String? = nil) {
        self.reachable = reachable
        self.error = error
        self.libvirtVersion = libvirtVersion
        self.hypervisorVersion = hypervisorVersion
        self.domainTypes = domainTypes
        self.emulatorPath = emulatorPath
    }
}

/// Asks a libvirt daemon about itself. Must answer within a few seconds.
public protocol HypervisorProbe: Sendable {
    /// `arch` is QEMU's name for the host architecture (x86_64, aarch64).
    func probe(uri: String, arch: String) -> HypervisorStatus
}

/// A `HypervisorProbe` that runs `virsh version` and `virsh capabilities`,
/// for use where the libvirt binding is not linked. Each call has a deadline.
public struct VirshHypervisorProbe: HypervisorProbe {
    public var virshPath: String
    public var deadline: Duration

    public init(virshPath: String = "/usr/bin/virsh", deadline: Duration = .seconds(2)) {
        self.virshPath = virshPath
        self.deadline = deadline
    }

    public func probe(uri: String, arch: String) -> HypervisorStatus {
        let version = runCommand(virshPath, ["-c", uri, "version"], deadline: deadline)
        if let launch = version.launchError { return HypervisorStatus(reachable: false, error: "cannot run virsh: \(launch)") }
        if version.timedOut { return HypervisorStatus(reachable: false, error: "no answer from \(uri) within \(deadline.secondsString)") }
        guard version.status == 0 else {
            let message = version.stderr.split(separator: "\n").map { $0.trimmingSpaces() }
                .filter { !$0.isEmpty }.joined(separator: " ")
            return HypervisorStatus(reachable: false, error: message.isEmpty ? "virsh exited \(version.status ?? -1)" : message)
        }
        let v = VirshOutput.parseVersion(version.stdout)
        let caps = runCommand(virshPath, ["-c", uri, "capabilities"], deadline: deadline)
        let parsed: (domainTypes: [String], emulator: String?) = caps.status == 0 ? VirshOutput.parseCapabilities(caps.stdout, arch: arch) : ([], nil)
        return HypervisorStatus(reachable: true, libvirtVersion: v.library, hypervisorVersion: v.hypervisor,
                                domainTypes: parsed.domainTypes, emulatorPath: parsed.emulator)
    }
}

/// A device node as this process sees it.
public struct DeviceNode: Sendable, Equatable {
    public var isCharacterDevice: Bool
    public var major: UInt32
    public var minor: UInt32
    public var mode: UInt32
    public var gid: UInt32
    public var readable: Bool
    public var writable: Bool

    public init(isCharacterDevice: Bool, major: UInt32 = 0, minor: UInt32 = 0, mode: UInt32 = 0, gid: UInt32 = 0,
                readable: Bool, writable: Bool) {
        self.isCharacterDevice = isCharacterDevice
        self.major = major
        self.minor = minor
        self.mode = mode
        self.gid = gid
        self.readable = readable
        self.writable = writable
    }
}

/// Facts that only the running host can give: probes and syscalls. The
/// checker uses `SystemLiveHost` for root "/" and none for an offline root
/// (those checks then SKIP); tests inject fakes.
public protocol LiveHost: Sendable {
    func kernelKVMProbe(devicePath: String, deadline: Duration) -> KernelKVMProbeResult
    func emulatorProbe(emulator: String, accelerator: String, deadline: Duration) -> EmulatorProbeResult
    func clockStatus() -> KernelClockStatus?
    /// stat(2) + access(2); nil when the path does not exist.
    func deviceNode(_ path: String) -> DeviceNode?
    /// statvfs(2) free bytes for unprivileged users at `path` (or its nearest existing parent).
    func freeDiskBytes(atPath path: String) -> (path: String, bytes: UInt64)?
    /// Name of the effective user.
    func userName() -> String
    /// $PATH, for finding tools.
    func environmentPath() -> String?
}

/// The real host.
public struct SystemLiveHost: LiveHost {
    public init() {}

    public func kernelKVMProbe(devicePath: String, deadline: Duration) -> KernelKVMProbeResult {
        KernelKVMProbeResult.run(devicePath: devicePath, deadline: deadline)
    }

    public func emulatorProbe(emulator: String, accelerator: String, deadline: Duration) -> EmulatorProbeResult {
        EmulatorProbe.run(emulator: emulator, accelerator: accelerator, deadline: deadline)
    }

    public func clockStatus() -> KernelClockStatus? { KernelClockStatus.read() }

    public func deviceNode(_ path: String) -> DeviceNode? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let isChar = (st.st_mode & S_IFMT) == S_IFCHR
        let dev = UInt64(st.st_rdev)
        // glibc's gnu_dev_major/minor encoding.
        let major = UInt32(((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff)))
        let minor = UInt32((dev & 0xff) | ((dev >> 12) & ~UInt64(0xff)))
        return DeviceNode(isCharacterDevice: isChar, major: major, minor: minor, mode: UInt32(st.st_mode & 0o7777),
                          gid: st.st_gid, readable: access(path, R_OK) == 0, writable: access(path, W_OK) == 0)
    }

    public func freeDiskBytes(atPath path: String) -> (path: String, bytes: UInt64)? {
        var candidate = path
        while !FileManager.default.fileExists(atPath: candidate), candidate != "/" {
            candidate = candidate.deletingLastPathComponent
            if candidate.isEmpty { candidate = "/" }
        }
        var vfs = statvfs()
        guard statvfs(candidate, &vfs) == 0 else { return nil }
        return (candidate, UInt64(vfs.f_bavail) * UInt64(vfs.f_frsize))
    }

    public func userName() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }

    public func environmentPath() -> String? { ProcessInfo.processInfo.environment["PATH"] }
}
