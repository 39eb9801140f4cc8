import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// Reads a host's files relative to a root directory: "/" for this host,
/// or an offline copy (a fixture host in tests, `vmctl host check --root DIR`).
/// Readers return text or listings; parsing is done by the pure parsers.
public struct HostRoot: Sendable, Equatable {
    public let path: String

    public init(_ path: String = "/") {
        var p = path.isEmpty ? "/" : path
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        self.path = p
    }

    /// True when this root is the running host, so live probes apply.
    public var isLiveHost: Bool { path == "/" }

    /// The absolute path of `relative` (like "proc/cpuinfo") under this root.
    public func resolve(_ relative: String) -> String {
        let trimmed = relative.hasPrefix("/") ? String(relative.dropFirst()) : relative
        return path == "/" ? "/" + trimmed : path + "/" + trimmed
    }

    /// File contents as UTF-8, or nil if the file is missing or unreadable.
    public func read(_ relative: String) -> String? {
        guard let data = FileManager.default.contents(atPath: resolve(relative)) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    public func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: resolve(relative))
    }

    public func isDirectory(_ relative: String) -> Bool {
        var isDir = false
        return FileManager.default.fileExists(atPath: resolve(relative), isDirectory: &isDir) && isDir
    }

    /// Names in a directory, sorted; empty when it does not exist.
    public func list(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: resolve(relative))) ?? []).sorted()
    }

    // MARK: Readers built on the primitives

    public func cpuInfo() -> CPUInfo? { read("proc/cpuinfo").map(CPUInfo.parse) }

    /// nil when /proc/modules is missing (a kernel without loadable modules).
    public func procModules() -> ProcModules? { read("proc/modules").map(ProcModules.parse) }

    /// How a kernel module is present: loaded (in /proc/modules), built in
    /// (only under /sys/module), or absent.
    public func moduleState(_ name: String, procModules: ProcModules?) -> ModuleState {
        if procModules?.isLoaded(name) == true { return .loaded }
        if isDirectory("sys/module/\(name)") { return .builtIn }
        return .absent
    }

    public func moduleParameter(_ module: String, _ parameter: String) -> String? {
        read("sys/module/\(module)/parameters/\(parameter)")?.trimmingWhitespace()
    }

    public func cgroupLayout() -> CgroupLayout {
        var mounts = read("proc/mounts") ?? read("proc/self/mounts") ?? ""
        var layout = CgroupLayout.parse(mounts: mounts, v2Controllers: nil)
        if layout.mode == .none, exists("sys/fs/cgroup/cgroup.controllers") {
            // A copy without cgroup mounts listed: cgroup.controllers at the usual place means v2.
            mounts += "\ncgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n"
            layout = CgroupLayout.parse(mounts: mounts, v2Controllers: nil)
        }
        if let mount = layout.v2MountPoint {
            layout = CgroupLayout.parse(mounts: mounts, v2Controllers: read(mount + "/cgroup.controllers"))
        }
        return layout
    }

    public func selinuxMode() -> SELinuxMode? {
        guard isDirectory("sys/fs/selinux") else { return .disabled }
        return SELinuxMode.parse(enforce: read("sys/fs/selinux/enforce"))
    }

    public func selinuxConfiguredMode() -> SELinuxMode? {
        read("etc/selinux/config").flatMap(SELinuxMode.parseConfig)
    }

    public func appArmor() -> AppArmorState {
        AppArmorState.parse(enabled: read("sys/module/apparmor/parameters/enabled"),
                            profiles: read("sys/kernel/security/apparmor/profiles"))
    }

    public func memInfo() -> MemInfo? { read("proc/meminfo").map(MemInfo.parse) }

    /// The kernel's host name, else /etc/hostname's.
    public func hostName() -> (name: String, source: String)? {
        for source in ["proc/sys/kernel/hostname", "etc/hostname"] {
            if let text = read(source) { return (HostName.parse(text), source) }
        }
        return nil
    }

    public func groups() -> [GroupEntry] { read("etc/group").map(GroupEntry.parse) ?? [] }

    /// Command names of the running processes, from proc/<pid>/comm.
    public func processNames() -> Set<String> {
        var names: Set<String> = []
        for entry in list("proc") where entry.allSatisfy(\.isNumber) {
            if let comm = read("proc/\(entry)/comm") {
                names.insert(comm.trimmingWhitespace())
            }
        }
        return names
    }

    /// Directories searched for tools: this host's $PATH (live root only)
    /// plus the usual system directories.
    public func executableSearchPath(environmentPath: String?) -> [String] {
        var dirs: [String] = []
        if isLiveHost, let environmentPath {
            dirs += environmentPath.split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
        }
        for d in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/libexec"]
        where !dirs.contains(d) {
            dirs.append(d)
        }
        return dirs
    }

    /// The host path of an executable named `name` (as seen from this root,
    /// i.e. without the root prefix), or nil.
    public func findExecutable(_ name: String, environmentPath: String? = nil) -> String? {
        for dir in executableSearchPath(environmentPath: environmentPath) {
            let hostPath = dir + "/" + name
            let full = resolve(hostPath)
            var isDir = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir,
               FileManager.default.isExecutableFile(atPath: full) {
                return hostPath
            }
        }
        return nil
    }
}

public enum ModuleState: String, Sendable, Codable {
    case loaded
    case builtIn = "built-in"
    case absent

    public var isPresent: Bool { self != .absent }
}
