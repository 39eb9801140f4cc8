import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// `vm show`: one domain's settings, disks, NICs, addresses and snapshots.
/// Field names are part of the stable JSON output.
public struct VMDetails: Codable, Sendable {
    public struct DiskInfo: Codable, Sendable {
        public var target: String
        public var device: String
        public var bus: String
        public var source: String?
        public var format: String?
        public var readOnly: Bool
        /// The image this disk's file is layered on, when it is an overlay.
        public var backing: String?
    }
    public struct NICInfo: Codable, Sendable {
        public var type: String
        public var source: String?
        public var mac: String?
        public var model: String?
    }
    public var name: String
    public var uuid: String
    public var state: String
    public var stateReason: String
    public var domainType: String
    public var vcpus: Int
    public var memoryBytes: UInt64
    public var autostart: Bool
    public var persistent: Bool
    public var lab: String?
    public var role: String?
    public var disks: [DiskInfo]
    public var interfaces: [NICInfo]
    public var addresses: [VMAddress]
    public var snapshots: [String]
    public var currentSnapshot: String?
}

public enum VMShow {
    public static func details(_ domain: Domain) throws(VMCtlError) -> VMDetails {
        let name = domain.name
        return try libvirt("reading '\(name)'") {
            let definition = try DomainDefinition(xml: try domain.xml())
            let state = try domain.state()
            let snapshots = (try? domain.snapshots().map(\.name).sorted()) ?? []
            let current = try domain.hasCurrentSnapshot() ? try domain.currentSnapshot().name : nil
            let running = state.state == .running || state.state == .paused
            return VMDetails(
                name: name, uuid: try domain.uuid(), state: state.state.description, stateReason: state.reasonDescription,
                domainType: definition.type.rawValue, vcpus: definition.vcpus, memoryBytes: definition.memory.bytes,
                autostart: try domain.autostart(), persistent: try domain.isPersistent(),
                lab: definition.metadata?.lab?.rawValue, role: definition.metadata?.role?.rawValue,
                disks: definition.disks.map { disk in
                    let path: String? = switch disk.source {
                    case .file(let p), .block(let p): p
                    case .volume(let pool, let volume): "\(pool)/\(volume)"
                    case .empty, .unmodeled: nil
                    }
                    let backing = path.flatMap { p in
                        (try? domain.connection.storageVolume(path: p).xml()).flatMap { try? StorageVolumeDefinition(xml: $0) }?
                            .backingStore?.path
                    }
                    return VMDetails.DiskInfo(
                        target: disk.target, device: disk.device.rawValue, bus: disk.bus.rawValue, source: path,
                        format: disk.format?.rawValue, readOnly: disk.readOnly, backing: backing)
                },
                interfaces: definition.interfaces.map { nic in
                    let (type, source): (String, String?) = switch nic.source {
                    case .network(let n): ("network", n)
                    case .bridge(let b): ("bridge", b)
                    case .direct(let d, _): ("direct", d)
                    case .user: ("user", nil)
                    case .unmodeled(let t): (t, nil)
                    }
                    return VMDetails.NICInfo(type: type, source: source, mac: nic.mac?.description, model: nic.model?.rawValue)
                },
                addresses: running ? VMAddressFinder(connection: domain.connection).addresses(of: domain) : [],
                snapshots: snapshots, currentSnapshot: current)
        }
    }

    public static func renderText(_ details: VMDetails) -> String {
        var lines = [
            "name:       \(details.name)",
            "uuid:       \(details.uuid)",
            "state:      \(details.state) (\(details.stateReason))",
            "type:       \(details.domainType), \(details.vcpus) vCPU, \(details.memoryBytes >> 20) MiB",
            "autostart:  \(details.autostart ? "yes" : "no")",
        ]
        if let lab = details.lab { lines.append("lab:        \(lab)\(details.role.map { ", role \($0)" } ?? "")") }
        lines.append("disks:")
        for disk in details.disks {
            var line = "  \(disk.target) \(disk.device) \(disk.bus) \(disk.source ?? "(empty)")"
            if let backing = disk.backing { line += " (overlay on \(backing))" }
            if disk.readOnly { line += " read-only" }
            lines.append(line)
        }
        lines.append("interfaces:")
        for nic in details.interfaces {
            lines.append("  \(nic.type) \(nic.source ?? "-") mac \(nic.mac ?? "-") model \(nic.model ?? "-")")
        }
        lines.append("addresses:  " + (details.addresses.isEmpty ? "none known" :
            details.addresses.map { "\($0.address)/\($0.prefix) (\($0.source))" }.joined(separator: ", ")))
        lines.append("snapshots:  " + (details.snapshots.isEmpty ? "none" : details.snapshots.map {
            $0 == details.currentSnapshot ? "\($0) (current)" : $0
        }.joined(separator: ", ")))
        return lines.joined(separator: "\n")
    }
}

/// `snapshot create | list | revert | delete` over libvirt's internal snapshots.
public struct SnapshotService: Sendable {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        public var current: Bool
        public var description: String?
    }

    public func create(vm: String, name: String, description: String?) throws(VMCtlError) -> Entry {
        let snapshotName = try parsed { try ObjectName(name, field: "snapshot name") }
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: vm)
        if (try? domain.snapshot(named: snapshotName.rawValue)) != nil {
            throw .invalid(field: "snapshot name", "'\(vm)' already has a snapshot named '\(name)'")
        }
        let definition = SnapshotDefinition(name: snapshotName, description: description)
        let xml = try parsed { try definition.xml() }
        do {
            _ = try domain.createSnapshot(xml: xml, flags: [])
        } catch let error as LibvirtError where error.code == .operationUnsupported && Self.runsPflashFirmware(domain) {
            // libvirt 9.0 takes no internal snapshot of a running guest whose UEFI firmware
            // (and NVRAM) is in pflash; of the same guest shut off it snapshots the disks.
            throw VMCtlError(
                "snapshot create: '\(vm)' is running UEFI firmware from pflash, which libvirt cannot snapshot internally; stop it (vmctl vm stop \(vm)) and take the snapshot while it is shut off (\(error))",
                status: .usage, libvirtError: error)
        } catch {
            throw .libvirt(error, while: "creating snapshot '\(name)' of '\(vm)'")
        }
        return Entry(name: name, current: true, description: description)
    }

    /// Whether the running domain's firmware is mapped as pflash (UEFI with its NVRAM).
    static func runsPflashFirmware(_ domain: Domain) -> Bool {
        guard (try? domain.isActive()) == true, let xml = try? domain.xml(), let definition = try? DomainDefinition(xml: xml) else {
            return false
        }
        return definition.os.loader?.type == .pflash
    }

    public func list(vm: String) throws(VMCtlError) -> [Entry] {
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: vm)
        return try libvirt("listing snapshots of '\(vm)'") {
            try domain.snapshots().map { snapshot in
                let definition = try SnapshotDefinition(xml: try snapshot.xml())
                return Entry(name: snapshot.name, current: try snapshot.isCurrent(), description: definition.description)
            }.sorted { $0.name < $1.name }
        }
    }

    public func revert(vm: String, name: String) throws(VMCtlError) {
        let snapshot = try lookUp(vm: vm, name: name)
        try libvirt("reverting '\(vm)' to '\(name)'") { try snapshot.revert() }
    }

    public func delete(vm: String, name: String) throws(VMCtlError) {
        let snapshot = try lookUp(vm: vm, name: name)
        try libvirt("deleting snapshot '\(name)' of '\(vm)'") { try snapshot.delete() }
    }

    func lookUp(vm: String, name: String) throws(VMCtlError) -> DomainSnapshot {
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: vm)
        return try VMCtlKit.lookUp("looking up snapshot '\(name)' of '\(vm)'", missing: .noDomainSnapshot,
                                   field: .option("snapshot name"), notFound: "'\(vm)' has no snapshot named '\(name)'") {
            try domain.snapshot(named: name)
        }
    }
}
