import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

// Pure parsers: text in, facts out. No file system, no syscalls.

/// Facts from /proc/cpuinfo.
public struct CPUInfo: Sendable, Equatable {
    public enum Architecture: String, Sendable, Codable {
        case x86
        case arm
        case other
    }

    public var architecture: Architecture
    /// `vendor_id` on x86 (GenuineIntel, AuthenticAMD); the implementer's name on ARM.
    public var vendor: String?
    /// `model name` on x86; `CPU part` on ARM.
    public var model: String?
    /// x86 `flags` or ARM `Features` of the first processor.
    public var flags: Set<String>
    public var processorCount: Int
    /// ARM `CPU architecture` (8 for ARMv8 / aarch64).
    public var armArchitectureVersion: Int?

    public var hasVMX: Bool { flags.contains("vmx") }
    public var hasSVM: Bool { flags.contains("svm") }
    /// Set by hypervisors on the CPUs they present to their guests.
    public var runsUnderHypervisor: Bool { flags.contains("hypervisor") }
    public var isIntel: Bool { vendor == "GenuineIntel" }
    public var isAMD: Bool { vendor == "AuthenticAMD" || vendor == "HygonGenuine" }

    /// `vmx`, `svm`, or nil.
    public var virtualizationExtension: String? {
        if hasVMX { return "vmx" }
        if hasSVM { return "svm" }
        return nil
    }

    /// The name QEMU gives this architecture in `qemu-system-<arch>`.
    public var qemuArch: String? {
        switch architecture {
        case .x86: return flags.contains("lm") ? "x86_64" : "i386"
        case .arm: return (armArchitectureVersion ?? 8) >= 8 ? "aarch64" : "arm"
        case .other: return nil
        }
    }

    /// The vendor KVM module this CPU needs: kvm_intel or kvm_amd (x86 only).
    public var kvmVendorModule: String? {
        guard architecture == .x86 else { return nil }
        if hasVMX || isIntel { return "kvm_intel" }
        if hasSVM || isAMD { return "kvm_amd" }
        return nil
    }

    static let armImplementers: [String: String] = [
        "0x41": "ARM", "0x42": "Broadcom", "0x43": "Cavium", "0x46": "Fujitsu",
        "0x48": "HiSilicon", "0x4e": "NVIDIA", "0x50": "Ampere (APM)", "0x51": "Qualcomm",
        "0x61": "Apple", "0xc0": "Ampere",
    ]

    public static func parse(_ text: String) -> CPUInfo {
        var info = CPUInfo(architecture: .other, vendor: nil, model: nil, flags: [], processorCount: 0)
        var sawFlags = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingSpaces()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            switch key {
            case "processor":
                info.processorCount += 1
            case "vendor_id":
                if info.vendor == nil { info.vendor = value }
            case "model name":
                if info.model == nil { info.model = value }
            case "flags":
                if !sawFlags {
                    info.flags = Set(value.split(separator: " ").map(String.init))
                    sawFlags = true
                }
                info.architecture = .x86
            case "Features":
                if !sawFlags {
                    info.flags = Set(value.split(separator: " ").map(String.init))
                    sawFlags = true
                }
                if info.architecture != .x86 { info.architecture = .arm }
            case "CPU implementer":
                if info.architecture != .x86 { info.architecture = .arm }
                if info.vendor == nil { info.vendor = armImplementers[value.lowercased()] ?? "implementer \(value)" }
            case "CPU part":
                if info.model == nil { info.model = "part \(value)" }
            case "CPU architecture":
                if info.armArchitectureVersion == nil { info.armArchitectureVersion = Int(value) }
            default:
                break
            }
        }
        return info
    }

    public init(architecture: Architecture, vendor: String?, model: String?, flags: Set<String>,
                processorCount: Int, armArchitectureVersion: Int? = nil) {
        self.architecture = architecture
        self.vendor = vendor
        self.model = model
        self.flags = flags
        self.processorCount = processorCount
        self.armArchitectureVersion = armArchitectureVersion
    }
}

/// Facts from /proc/modules: the loadable modules currently loaded.
public struct ProcModules: Sendable, Equatable {
    public struct Module: Sendable, Equatable {
        public var name: String
        public var size: Int
        public var useCount: Int
        public var usedBy: [String]
    }

    public var modules: [String: Module]

    public func isLoaded(_ name: String) -> Bool { modules[name] != nil }

    /// Lines look like `kvm_intel 409600 0 - Live 0x0000000000000000` or
    /// `kvm 1138688 1 kvm_intel, Live 0x0000000000000000`.
    public static func parse(_ text: String) -> ProcModules {
        var modules: [String: Module] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3 else { continue }
            let name = String(fields[0])
            let usedBy: [String]
            if fields.count >= 4, fields[3] != "-" {
                usedBy = fields[3].split(separator: ",").map(String.init)
            } else {
                usedBy = []
            }
            modules[name] = Module(name: name, size: Int(fields[1]) ?? 0, useCount: Int(fields[2]) ?? 0, usedBy: usedBy)
        }
        return ProcModules(modules: modules)
    }
}

/// A module parameter of type bool or int as sysfs shows it: `Y`, `N`, `1`, `0`.
public func parseModuleBool(_ text: String) -> Bool? {
    switch text.trimmingWhitespace() {
    case "Y", "y", "1": return true
    case "N", "n", "0": return false
    default: return nil
    }
}

/// One line of /proc/mounts.
public struct MountEntry: Sendable, Equatable {
    public var device: String
    public var mountPoint: String
    public var fsType: String
    public var options: [String]

    public static func parseTable(_ text: String) -> [MountEntry] {
        text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 4 else { return nil }
            return MountEntry(device: unescape(String(f[0])), mountPoint: unescape(String(f[1])),
                              fsType: String(f[2]), options: f[3].split(separator: ",").map(String.init))
        }
    }

    /// /proc/mounts escapes space, tab, newline and backslash as octal (`\040`).
    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count,
               let code = UInt8(String(decoding: bytes[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                out.append(code)
                i += 4
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The cgroup hierarchies a host mounts and the controllers they offer.
public struct CgroupLayout: Sendable, Equatable {
    public enum Mode: String, Sendable, Codable {
        case v1, v2, hybrid, none
    }

    /// Controllers of the cgroup v1 hierarchies (from their mount options).
    public var v1Controllers: Set<String>
    /// Mount point of the unified (v2) hierarchy, if mounted.
    public var v2MountPoint: String?
    /// Controllers listed in the v2 root's cgroup.controllers.
    public var v2Controllers: Set<String>

    public var mode: Mode {
        switch (v1Controllers.isEmpty, v2MountPoint == nil) {
        case (true, true): return .none
        case (false, true): return .v1
        case (true, false): return .v2
        case (false, false): return .hybrid
        }
    }

    static let knownV1Controllers: Set<String> = [
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "blkio",
        "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc",
    ]

    /// The controllers libvirt's QEMU driver uses, named as in cgroup v1
    /// (the set `virt-host-validate qemu` checks).
    public static let requiredForLibvirt: [String] = ["cpu", "cpuacct", "cpuset", "memory", "devices", "blkio"]

    /// Controllers available in either hierarchy, named as in v1: on v2, `io`
    /// stands for blkio, `cpu` covers cpuacct, and devices is done with eBPF.
    public var availableV1Names: Set<String> {
        var set = v1Controllers
        if v2MountPoint != nil {
            set.insert("devices")
            for c in v2Controllers {
                switch c {
                case "io": set.insert("blkio")
                case "cpu": set.formUnion(["cpu", "cpuacct"])
                default: set.insert(c)
                }
            }
        }
        return set
    }

    public var missingForLibvirt: [String] {
        let have = availableV1Names
        return Self.requiredForLibvirt.filter { !have.contains($0) }
    }

    /// `mounts` is /proc/mounts; `v2Controllers` the v2 root's cgroup.controllers (nil if unread).
    public static func parse(mounts: String, v2Controllers: String?) -> CgroupLayout {
        var v1: Set<String> = []
        var v2Mount: String?
        for entry in MountEntry.parseTable(mounts) {
            switch entry.fsType {
            case "cgroup":
                v1.formUnion(entry.options.filter { knownV1Controllers.contains($0) })
            case "cgroup2":
                if v2Mount == nil { v2Mount = entry.mountPoint }
            default:
                break
            }
        }
        let v2Set = Set((v2Controllers ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        return CgroupLayout(v1Controllers: v1, v2MountPoint: v2Mount, v2Controllers: v2Mount == nil ? [] : v2Set)
    }

    public init(v1Controllers: Set<String>, v2MountPoint: String?, v2Controllers: Set<String>) {
        self.v1Controllers = v1Controllers
        self.v2MountPoint = v2MountPoint
        self.v2Controllers = v2Controllers
    }
}

/// SELinux mode as /sys/fs/selinux/enforce shows it.
public enum SELinuxMode: String, Sendable, Codable {
    case enforcing, permissive, disabled

    /// `enforce` is the content of /sys/fs/selinux/enforce, or nil when
    /// /sys/fs/selinux does not exist (SELinux disabled or not built in).
    public static func parse(enforce: String?) -> SELinuxMode? {
        guard let enforce else { return .disabled }
        switch enforce.trimmingWhitespace() {
        case "1": return .enforcing
        case "0": return .permissive
        default: return nil
        }
    }

    /// `SELINUX=` from /etc/selinux/config: the mode after the next boot.
    public static func parseConfig(_ text: String) -> SELinuxMode? {
        for line in text.split(separator: "\n") {
            let t = line.trimmingSpaces()
            guard t.hasPrefix("SELINUX=") else { continue }
            return SELinuxMode(rawValue: String(t.dropFirst("SELINUX=".count)).lowercased())
        }
        return nil
    }
}

/// AppArmor state from /sys/module/apparmor/parameters/enabled and
/// /sys/kernel/security/apparmor/profiles.
public struct AppArmorState: Sendable, Equatable {
    public var enabled: Bool
    public var enforcing: [String]
    public var complaining: [String]

    /// Profile lines look like `/usr/sbin/libvirtd (enforce)` or `libvirt-<uuid> (complain)`.
    public static func parse(enabled: String?, profiles: String?) -> AppArmorState {
        var state = AppArmorState(enabled: enabled.flatMap(parseModuleBool) ?? false, enforcing: [], complaining: [])
        for line in (profiles ?? "").split(separator: "\n") {
            guard let open = line.lastIndex(of: "(") else { continue }
            let name = line[..<open].trimmingSpaces()
            let mode = line[line.index(after: open)...].trimming(Set(") "))
            if mode == "enforce" { state.enforcing.append(name) } else if mode == "complain" { state.complaining.append(name) }
        }
        return state
    }
}

/// Facts from /proc/meminfo, in bytes.
public struct MemInfo: Sendable, Equatable {
    public var totalBytes: UInt64?
    public var availableBytes: UInt64?
    public var freeBytes: UInt64?

    public static func parse(_ text: String) -> MemInfo {
        var values: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            let parts = line[line.index(after: colon)...].split(separator: " ")
            guard let number = parts.first.flatMap({ UInt64($0) }) else { continue }
            let unit = parts.count > 1 ? parts[1] : ""
            values[key] = unit == "kB" ? number * 1024 : number
        }
        return MemInfo(totalBytes: values["MemTotal"], availableBytes: values["MemAvailable"], freeBytes: values["MemFree"])
    }
}

/// A host name as /etc/hostname or /proc/sys/kernel/hostname holds it.
public enum HostName {
    /// The first non-empty, non-comment line, trimmed.
    public static func parse(_ text: String) -> String {
        for line in text.split(separator: "\n") {
            let t = line.trimmingSpaces()
            if !t.isEmpty, !t.hasPrefix("#") { return t }
        }
        return ""
    }

    /// False for the names a freshly installed or unconfigured host has.
    public static func isReal(_ name: String) -> Bool {
        let lower = name.lowercased()
        return !lower.isEmpty && !["localhost", "localhost.localdomain", "localhost6", "(none)", "localdomain"].contains(lower)
    }
}

/// /etc/group entries.
public struct GroupEntry: Sendable, Equatable {
    public var name: String
    public var gid: UInt32
    public var members: [String]

    public static func parse(_ text: String) -> [GroupEntry] {
        text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 3, let gid = UInt32(f[2]) else { return nil }
            let members = f.count > 3 ? f[3].split(separator: ",").map(String.init) : []
            return GroupEntry(name: String(f[0]), gid: gid, members: members)
        }
    }
}

/// A sysctl boolean such as /proc/sys/net/ipv4/ip_forward.
public func parseSysctlBool(_ text: String) -> Bool? {
    switch text.trimmingWhitespace() {
    case "1": return true
    case "0": return false
    default: return nil
    }
}

/// Output of `virsh version` and `virsh capabilities`, for `VirshHypervisorProbe`.
public enum VirshOutput {
    /// `Using library: libvirt 9.0.0` → "9.0.0"; `Running hypervisor: QEMU 7.2.22` → "QEMU 7.2.22".
    public static func parseVersion(_ text: String) -> (library: String?, hypervisor: String?) {
        var library: String?
        var hypervisor: String?
        for line in text.split(separator: "\n") {
            let t = line.trimmingSpaces()
            if t.hasPrefix("Using library: libvirt ") {
                library = String(t.dropFirst("Using library: libvirt ".count))
            } else if t.hasPrefix("Running hypervisor: ") {
                hypervisor = String(t.dropFirst("Running hypervisor: ".count))
            }
        }
        return (library, hypervisor)
    }

    /// Domain types and emulator offered for `arch` in capabilities XML.
    public static func parseCapabilities(_ xml: String, arch: String) -> (domainTypes: [String], emulator: String?) {
        guard let archRange = xml.firstRange(of: "<arch name='\(arch)'>") ?? xml.firstRange(of: "<arch name=\"\(arch)\">") else {
            return ([], nil)
        }
        let rest = xml[archRange.upperBound...]
        let section = rest.firstRange(of: "</arch>").map { rest[..<$0.lowerBound] } ?? rest
        var types: [String] = []
        var cursor = section.startIndex
        while let r = section[cursor...].firstRange(of: "<domain type=") {
            let after = section[r.upperBound...]
            if let quote = after.first, let end = after.dropFirst().firstIndex(of: quote) {
                let value = String(after[after.index(after: after.startIndex)..<end])
                if !types.contains(value) { types.append(value) }
            }
            cursor = r.upperBound
        }
        var emulator: String?
        if let e = section.firstRange(of: "<emulator>"), let close = section[e.upperBound...].firstRange(of: "</emulator>") {
            emulator = String(section[e.upperBound..<close.lowerBound])
        }
        return (types, emulator)
    }
}
