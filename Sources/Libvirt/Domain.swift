import CLibvirt
#if canImport(Glibc)
import Glibc
#endif

/// A domain (virtual machine) known to a connection (`virDomainPtr`).
/// libvirt domain handles are thread-safe; the handle is freed in `deinit`.
public final class Domain: @unchecked Sendable {
    let handle: OpaquePointer
    /// The connection this domain was obtained from.
    public let connection: Connection

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virDomainFree`.
    deinit { virDomainFree(handle) }

    // MARK: Identity

    /// The domain's name.
    /// The corresponding C function is `virDomainGetName`.
    public var name: String {
        // libvirt only returns NULL here for an invalid handle, which cannot happen.
        (try? Call.borrowedString { virDomainGetName(handle) }) ?? ""
    }

    /// The domain's UUID in canonical string form.
    /// The corresponding C function is `virDomainGetUUIDString`.
    public func uuid() throws -> String {
        try withStringBuffer(count: Int(VIR_UUID_STRING_BUFLEN)) { virDomainGetUUIDString(handle, $0) }
    }

    /// The hypervisor ID of a running domain, `nil` when it is not running.
    /// The corresponding C function is `virDomainGetID`.
    public var id: Int32? {
        let value = virDomainGetID(handle)
        return value == UInt32.max ? nil : Int32(bitPattern: value)
    }

    // MARK: State

    /// The domain's state and the reason it is in it.
    /// The corresponding C function is `virDomainGetState`.
    public func state() throws -> DomainStateInfo {
        var state: Int32 = 0
        var reason: Int32 = 0
        try Call.status { virDomainGetState(handle, &state, &reason, 0) }
        return DomainStateInfo(state: DomainState(rawValue: state), reason: reason)
    }

    /// State, memory, vCPUs and CPU time.
    /// The corresponding C function is `virDomainGetInfo`.
    public func info() throws -> DomainInfo {
        var info = virDomainInfo()
        try Call.status { virDomainGetInfo(handle, &info) }
        return DomainInfo(
            state: DomainState(rawValue: Int32(info.state)), maxMemoryKiB: UInt64(info.maxMem),
            memoryKiB: UInt64(info.memory), vcpus: Int(info.nrVirtCpu), cpuTimeNanoseconds: UInt64(info.cpuTime))
    }

    /// The domain's XML description.
    /// The corresponding C function is `virDomainGetXMLDesc`.
    public func xml(_ flags: DomainXMLFlags = []) throws -> String {
        try Call.ownedString { virDomainGetXMLDesc(handle, flags.rawValue) }
    }

    /// Whether the domain starts when the host boots.
    /// The corresponding C function is `virDomainGetAutostart`.
    public func autostart() throws -> Bool {
        var value: Int32 = 0
        try Call.status { virDomainGetAutostart(handle, &value) }
        return value != 0
    }

    /// Sets whether the domain starts when the host boots.
    /// The corresponding C function is `virDomainSetAutostart`.
    public func setAutostart(_ enabled: Bool) throws {
        try Call.status { virDomainSetAutostart(handle, enabled ? 1 : 0) }
    }

    /// Whether the domain has a persistent definition.
    /// The corresponding C function is `virDomainIsPersistent`.
    public func isPersistent() throws -> Bool {
        try Call.status { virDomainIsPersistent(handle) } == 1
    }

    /// Whether the domain is running (or paused).
    /// The corresponding C function is `virDomainIsActive`.
    public func isActive() throws -> Bool {
        try Call.status { virDomainIsActive(handle) } == 1
    }

    // MARK: Lifecycle

    /// Starts a defined domain.
    /// The corresponding C function is `virDomainCreateWithFlags`.
    public func start(_ flags: DomainCreateFlags = []) throws {
        try Call.status { virDomainCreateWithFlags(handle, flags.rawValue) }
    }

    /// Asks the guest to shut down (ACPI power button or agent); returns at once.
    /// The corresponding C function is `virDomainShutdown`.
    public func shutdown() throws {
        try Call.status { virDomainShutdown(handle) }
    }

    /// Stops the domain at once, like pulling the plug. With `graceful`, libvirt
    /// only sends SIGTERM to the emulator and fails rather than SIGKILL it.
    /// The corresponding C function is `virDomainDestroyFlags`.
    public func destroy(graceful: Bool = false) throws {
        let flags: UInt32 = graceful ? VIR_DOMAIN_DESTROY_GRACEFUL.rawValue : 0
        try Call.status { virDomainDestroyFlags(handle, flags) }
    }

    /// Asks the guest to reboot.
    /// The corresponding C function is `virDomainReboot`.
    public func reboot() throws {
        try Call.status { virDomainReboot(handle, 0) }
    }

    /// Pauses the domain's vCPUs.
    /// The corresponding C function is `virDomainSuspend`.
    public func suspend() throws {
        try Call.status { virDomainSuspend(handle) }
    }

    /// Resumes a paused domain.
    /// The corresponding C function is `virDomainResume`.
    public func resume() throws {
        try Call.status { virDomainResume(handle) }
    }

    /// Removes the persistent definition. A running domain becomes transient.
    /// The corresponding C function is `virDomainUndefineFlags`.
    public func undefine(_ flags: DomainUndefineFlags = []) throws {
        try Call.status { virDomainUndefineFlags(handle, flags.rawValue) }
    }

    // MARK: Addresses

    /// The guest's interfaces and their IP addresses, as one source knows them:
    /// the DHCP lease table of libvirt's networks, the guest agent, or the host's ARP table.
    /// The corresponding C functions are `virDomainInterfaceAddresses` and `virDomainInterfaceFree`.
    public func interfaceAddresses(source: InterfaceAddressSource = .lease) throws -> [DomainInterface] {
        var raw: UnsafeMutablePointer<virDomainInterfacePtr?>? = nil
        let count = try Call.status { virDomainInterfaceAddresses(handle, &raw, source.rawValue, 0) }
        guard let raw else { return [] }
        defer {
            for index in 0..<Int(count) { virDomainInterfaceFree(raw[index]) }
            free(raw)
        }
        return (0..<Int(count)).compactMap { index in
            guard let iface = raw[index]?.pointee else { return nil }
            let addresses = (0..<Int(iface.naddrs)).map { at in
                let address = iface.addrs[at]
                return DomainInterface.Address(
                    family: address.type == Int32(VIR_IP_ADDR_TYPE_IPV6.rawValue) ? .ipv6 : .ipv4,
                    address: address.addr.map { String(cString: $0) } ?? "",
                    prefix: Int(address.prefix))
            }
            return DomainInterface(
                name: iface.name.map { String(cString: $0) } ?? "",
                mac: iface.hwaddr.map { String(cString: $0) },
                addresses: addresses)
        }
    }

    // MARK: Metadata

    /// Reads the custom metadata element stored under `namespaceURI`;
    /// throws `.noDomainMetadata` when there is none.
    /// The corresponding C function is `virDomainGetMetadata`.
    public func metadata(namespaceURI: String, impact: DomainModificationImpact = .current) throws -> String {
        try Call.ownedString {
            virDomainGetMetadata(handle, Int32(VIR_DOMAIN_METADATA_ELEMENT.rawValue), namespaceURI, impact.rawValue)
        }
    }

    /// Stores (or with `nil`, removes) a custom metadata element under
    /// `namespaceURI`, with elements written under the namespace prefix `key`.
    /// The corresponding C function is `virDomainSetMetadata`.
    public func setMetadata(
        _ xml: String?, key: String, namespaceURI: String, impact: DomainModificationImpact = .current
    ) throws {
        try Call.status {
            virDomainSetMetadata(
                handle, Int32(VIR_DOMAIN_METADATA_ELEMENT.rawValue), xml, key, namespaceURI, impact.rawValue)
        }
    }

    /// Reads the domain's title or description; `nil` when unset.
    /// The corresponding C function is `virDomainGetMetadata`.
    public func text(_ field: DomainTextField, impact: DomainModificationImpact = .current) throws -> String? {
        do {
            return try Call.ownedString { virDomainGetMetadata(handle, field.rawValue, nil, impact.rawValue) }
        } catch LibvirtError.Code.noDomainMetadata {
            return nil
        }
    }

    // MARK: Snapshots

    /// Creates a snapshot described by `xml` (`<domainsnapshot>`).
    /// The corresponding C function is `virDomainSnapshotCreateXML`.
    public func createSnapshot(xml: String, flags: SnapshotCreateFlags = [.validate]) throws -> DomainSnapshot {
        DomainSnapshot(handle: try Call.pointer { virDomainSnapshotCreateXML(handle, xml, flags.rawValue) }, domain: self)
    }

    /// All snapshots of the domain.
    /// The corresponding C function is `virDomainListAllSnapshots`.
    public func snapshots() throws -> [DomainSnapshot] {
        try Call.list({ virDomainListAllSnapshots(handle, $0, 0) }) { DomainSnapshot(handle: $0, domain: self) }
    }

    /// Looks up a snapshot by name; throws `.noDomainSnapshot` when there is none.
    /// The corresponding C function is `virDomainSnapshotLookupByName`.
    public func snapshot(named name: String) throws -> DomainSnapshot {
        DomainSnapshot(handle: try Call.pointer { virDomainSnapshotLookupByName(handle, name, 0) }, domain: self)
    }

    /// The current snapshot; throws `.noDomainSnapshot` when there is none.
    /// The corresponding C function is `virDomainSnapshotCurrent`.
    public func currentSnapshot() throws -> DomainSnapshot {
        DomainSnapshot(handle: try Call.pointer { virDomainSnapshotCurrent(handle, 0) }, domain: self)
    }

    /// Whether the domain has a current snapshot.
    /// The corresponding C function is `virDomainHasCurrentSnapshot`.
    public func hasCurrentSnapshot() throws -> Bool {
        try Call.status { virDomainHasCurrentSnapshot(handle, 0) } == 1
    }
}

/// A domain's state (`virDomainState`); an open struct so new states round-trip.
public struct DomainState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ value: virDomainState) { rawValue = Int32(value.rawValue) }

    public static let noState = DomainState(VIR_DOMAIN_NOSTATE)
    public static let running = DomainState(VIR_DOMAIN_RUNNING)
    public static let blocked = DomainState(VIR_DOMAIN_BLOCKED)
    public static let paused = DomainState(VIR_DOMAIN_PAUSED)
    public static let shuttingDown = DomainState(VIR_DOMAIN_SHUTDOWN)
    public static let shutOff = DomainState(VIR_DOMAIN_SHUTOFF)
    public static let crashed = DomainState(VIR_DOMAIN_CRASHED)
    public static let pmSuspended = DomainState(VIR_DOMAIN_PMSUSPENDED)

    /// Stable lower-case names, as `virsh domstate` prints them.
    public var description: String {
        switch self {
        case .noState: "no state"
        case .running: "running"
        case .blocked: "idle"
        case .paused: "paused"
        case .shuttingDown: "in shutdown"
        case .shutOff: "shut off"
        case .crashed: "crashed"
        case .pmSuspended: "pmsuspended"
        default: "state \(rawValue)"
        }
    }
}

/// A state with libvirt's reason code for it (`virDomainGetState`).
public struct DomainStateInfo: Hashable, Sendable {
    public var state: DomainState
    /// The reason, whose meaning depends on `state` (e.g. `virDomainShutoffReason`).
    public var reason: Int32

    public init(state: DomainState, reason: Int32) {
        self.state = state
        self.reason = reason
    }

    /// A short description of the reason, for the common states.
    public var reasonDescription: String {
        switch state {
        case .running:
            let names = ["unknown", "booted", "migrated", "restored", "from snapshot", "unpaused",
                         "migration canceled", "save canceled", "wakeup", "crashed", "post-copy"]
            return names.indices.contains(Int(reason)) ? names[Int(reason)] : "reason \(reason)"
        case .shutOff:
            let names = ["unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed",
                         "from snapshot", "daemon"]
            return names.indices.contains(Int(reason)) ? names[Int(reason)] : "reason \(reason)"
        case .paused:
            let names = ["unknown", "user", "migration", "save", "dump", "ioerror", "watchdog",
                         "from snapshot", "shutting down", "snapshot", "crashed", "starting up"]
            return names.indices.contains(Int(reason)) ? names[Int(reason)] : "reason \(reason)"
        default:
            return "reason \(reason)"
        }
    }
}

/// `virDomainInfo`.
public struct DomainInfo: Hashable, Sendable {
    public var state: DomainState
    public var maxMemoryKiB: UInt64
    public var memoryKiB: UInt64
    public var vcpus: Int
    public var cpuTimeNanoseconds: UInt64
}

/// Where `Domain.interfaceAddresses(source:)` looks (`virDomainInterfaceAddressesSource`).
public struct InterfaceAddressSource: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The DHCP lease table of libvirt's own networks.
    public static let lease = Self(rawValue: VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE.rawValue)
    /// The QEMU guest agent inside the guest.
    public static let agent = Self(rawValue: VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT.rawValue)
    /// The host's ARP table.
    public static let arp = Self(rawValue: VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP.rawValue)
    public var description: String {
        switch self {
        case .lease: "lease"
        case .agent: "agent"
        case .arp: "arp"
        default: "source \(rawValue)"
        }
    }
}

/// One guest interface and its addresses (`virDomainInterface`).
public struct DomainInterface: Hashable, Sendable {
    public enum Family: String, Hashable, Sendable, Codable { case ipv4, ipv6 }
    public struct Address: Hashable, Sendable {
        public var family: Family
        public var address: String
        public var prefix: Int
    }
    /// The interface name (the host-side tap device for the lease and ARP sources).
    public var name: String
    public var mac: String?
    public var addresses: [Address]
}

/// The text fields of `virDomainGetMetadata` (`virDomainMetadataType`).
public struct DomainTextField: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let description = Self(rawValue: Int32(VIR_DOMAIN_METADATA_DESCRIPTION.rawValue))
    public static let title = Self(rawValue: Int32(VIR_DOMAIN_METADATA_TITLE.rawValue))
}
