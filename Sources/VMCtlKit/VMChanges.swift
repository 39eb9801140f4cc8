import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// Where a change to a VM applies: the running domain, its persistent definition, or both.
public struct ChangeScope: Sendable, Equatable, Codable {
    public var live: Bool
    public var config: Bool

    public init(live: Bool, config: Bool) {
        self.live = live
        self.config = config
    }

    /// The user's `--live`/`--config`, checked against the domain; with neither,
    /// a running VM changes now and in its definition, a shut-off one in its definition.
    /// The corresponding C functions are `virDomainIsActive` and `virDomainIsPersistent`.
    static func resolve(live: Bool, config: Bool, domain: Domain) throws(VMCtlError) -> ChangeScope {
        let name = domain.name
        let (active, persistent) = try libvirt("reading the state of '\(name)'") { (try domain.isActive(), try domain.isPersistent()) }
        if !live && !config { return ChangeScope(live: active, config: persistent) }
        if live && !active {
            throw .invalid(field: "--live", "'\(name)' is not running; leave --live out to change its definition")
        }
        if config && !persistent {
            throw .invalid(field: "--config", "'\(name)' is transient: it has no persistent definition to change")
        }
        return ChangeScope(live: live, config: config)
    }

    var deviceFlags: DomainDeviceModifyFlags {
        var flags: DomainDeviceModifyFlags = []
        if live { flags.insert(.live) }
        if config { flags.insert(.config) }
        return flags
    }

    /// `live and persistent`, `live only`, `persistent only`.
    var text: String { live && config ? "live and persistent" : live ? "live only" : "persistent only" }
}

/// What a daily verb changed (`vm suspend`, `vm attach-disk`, `vm set`, `vm rename`, …),
/// printed as JSON with `--output json` (Docs/commands-vm.md).
public struct VMChangeResult: Codable, Sendable, Equatable {
    /// The VM's name (after `vm rename`, the new one).
    public var name: String
    /// `suspended`, `resumed`, `attached`, `detached`, `set`, `autostart`, `edited`, `unchanged`, `renamed`.
    public var action: String
    /// Where it applied; absent for actions that are neither (suspend, resume, autostart, rename, edit).
    public var scope: ChangeScope?
    /// The disk or NIC attached or detached.
    public var device: DeviceChange?
    /// The new memory size, `vm set --memory`.
    public var memoryBytes: UInt64?
    /// The new vCPU count, `vm set --vcpus`.
    public var vcpus: Int?
    /// Whether the VM now starts with the host, `vm autostart`.
    public var autostart: Bool?
    /// The name before `vm rename`.
    public var previousName: String?

    public init(name: String, action: String, scope: ChangeScope? = nil) {
        self.name = name
        self.action = action
        self.scope = scope
    }

    /// A disk or NIC that `vm attach-*` or `vm detach-*` handled.
    public struct DeviceChange: Codable, Sendable, Equatable {
        /// `disk` or `interface`.
        public var kind: String
        /// A disk's target (`vdb`).
        public var target: String?
        /// A disk's file, or a NIC's `network=…`, `bridge=…` or `direct=…`.
        public var source: String?
        /// A NIC's MAC address.
        public var mac: String?
        /// `POOL/VOLUME` when vmctl created the disk's volume (recorded, so `vm delete` removes it).
        public var createdVolume: String?
    }

    /// One line for people: `attached disk vdb to web1 (live and persistent)`.
    public static func renderText(_ result: VMChangeResult) -> String {
        let scope = result.scope.map { " (\($0.text))" } ?? ""
        switch result.action {
        case "attached", "detached":
            let device = result.device
            let what = device?.kind == "disk" ? "disk \(device?.target ?? "")" : "interface \(device?.mac ?? "")"
            let created = device?.createdVolume.map { ", new volume \($0)" } ?? ""
            return "\(result.action) \(what) \(result.action == "attached" ? "to" : "from") \(result.name)\(created)\(scope)"
        case "set":
            var parts: [String] = []
            if let bytes = result.memoryBytes { parts.append("memory \(ByteSize(bytes: bytes))") }
            if let vcpus = result.vcpus { parts.append("\(vcpus) vCPUs") }
            return "set \(parts.joined(separator: ", ")) on \(result.name)\(scope)"
        case "autostart":
            return "autostart \(result.autostart == true ? "enabled" : "disabled") for \(result.name)"
        case "renamed":
            return "renamed \(result.previousName ?? "") to \(result.name)"
        case "unchanged":
            return "\(result.name): no change"
        default:
            return "\(result.action) \(result.name)"
        }
    }
}

extension VMLifecycle {
    /// The domain and its persistent definition, for planning a change.
    /// The corresponding C function is `virDomainGetXMLDesc` (`VIR_DOMAIN_XML_INACTIVE`).
    func definitions(of domain: Domain, scope: ChangeScope) throws(VMCtlError) -> [DomainDefinition] {
        let name = domain.name
        return try libvirt("reading '\(name)'") {
            var read: [DomainDefinition] = []
            if scope.live { read.append(try DomainDefinition(xml: try domain.xml())) }
            if scope.config { read.append(try DomainDefinition(xml: try domain.xml([.inactive]))) }
            return read
        }
    }
}

extension VMLifecycle {
    /// vmctl's lock on `domain` (the one `vm clone` holds while it moves a
    /// source onto a new layer and redefines it), taken by every verb that
    /// changes a definition, so neither overwrites the other's change.
    /// Release it by letting the value go.
    func lock(_ domain: Domain, progress: any ProgressReporter) throws(VMCtlError) -> ObjectLock {
        let name = domain.name
        return try ObjectLock.acquire(
            uri: (try? connection.uri()) ?? "", kind: "domain", name: name,
            waiting: { progress.step("waiting for another vmctl process working on \(name)") })
    }
}
