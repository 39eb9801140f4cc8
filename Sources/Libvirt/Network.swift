import CLibvirt
#if canImport(Glibc)
import Glibc
#endif

/// A libvirt virtual network (`virNetworkPtr`). Freed in `deinit`.
public final class Network: @unchecked Sendable {
    let handle: OpaquePointer
    /// The connection this network was obtained from.
    public let connection: Connection

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virNetworkFree`.
    deinit { virNetworkFree(handle) }

    /// The network's name.
    /// The corresponding C function is `virNetworkGetName`.
    public var name: String {
        (try? Call.borrowedString { virNetworkGetName(handle) }) ?? ""
    }

    /// The network's UUID string.
    /// The corresponding C function is `virNetworkGetUUIDString`.
    public func uuid() throws -> String {
        try withStringBuffer(count: Int(VIR_UUID_STRING_BUFLEN)) { virNetworkGetUUIDString(handle, $0) }
    }

    /// The network's XML description; `inactive` reads the persistent definition.
    /// The corresponding C function is `virNetworkGetXMLDesc`.
    public func xml(inactive: Bool = false) throws -> String {
        let flags: UInt32 = inactive ? VIR_NETWORK_XML_INACTIVE.rawValue : 0
        return try Call.ownedString { virNetworkGetXMLDesc(handle, flags) }
    }

    /// The host bridge device the network uses, such as `virbr0`.
    /// The corresponding C function is `virNetworkGetBridgeName`.
    public func bridgeName() throws -> String {
        try Call.ownedString { virNetworkGetBridgeName(handle) }
    }

    /// Whether the network is running.
    /// The corresponding C function is `virNetworkIsActive`.
    public func isActive() throws -> Bool {
        try Call.status { virNetworkIsActive(handle) } == 1
    }

    /// Whether the network has a persistent definition.
    /// The corresponding C function is `virNetworkIsPersistent`.
    public func isPersistent() throws -> Bool {
        try Call.status { virNetworkIsPersistent(handle) } == 1
    }

    /// Whether the network starts with the daemon.
    /// The corresponding C function is `virNetworkGetAutostart`.
    public func autostart() throws -> Bool {
        var value: Int32 = 0
        try Call.status { virNetworkGetAutostart(handle, &value) }
        return value != 0
    }

    /// Sets whether the network starts with the daemon.
    /// The corresponding C function is `virNetworkSetAutostart`.
    public func setAutostart(_ enabled: Bool) throws {
        try Call.status { virNetworkSetAutostart(handle, enabled ? 1 : 0) }
    }

    /// Starts a defined network: bridge, dnsmasq and firewall rules.
    /// The corresponding C function is `virNetworkCreate`.
    public func start() throws {
        try Call.status { virNetworkCreate(handle) }
    }

    /// Stops the network.
    /// The corresponding C function is `virNetworkDestroy`.
    public func destroy() throws {
        try Call.status { virNetworkDestroy(handle) }
    }

    /// Removes the persistent definition.
    /// The corresponding C function is `virNetworkUndefine`.
    public func undefine() throws {
        try Call.status { virNetworkUndefine(handle) }
    }

    /// The network's DHCP leases, optionally only those of one MAC address.
    /// The corresponding C functions are `virNetworkGetDHCPLeases` and `virNetworkDHCPLeaseFree`.
    public func dhcpLeases(mac: String? = nil) throws -> [DHCPLease] {
        var raw: UnsafeMutablePointer<virNetworkDHCPLeasePtr?>? = nil
        let count = try Call.status { virNetworkGetDHCPLeases(handle, mac, &raw, 0) }
        guard let raw else { return [] }
        defer {
            for index in 0..<Int(count) { virNetworkDHCPLeaseFree(raw[index]) }
            free(raw)
        }
        func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }
        return (0..<Int(count)).compactMap { index in
            guard let lease = raw[index]?.pointee else { return nil }
            return DHCPLease(
                interface: string(lease.iface) ?? "",
                expiryTime: Int64(lease.expirytime),
                family: lease.type == Int32(VIR_IP_ADDR_TYPE_IPV6.rawValue) ? .ipv6 : .ipv4,
                mac: string(lease.mac) ?? "",
                ipAddress: string(lease.ipaddr) ?? "",
                prefix: Int(lease.prefix),
                hostname: string(lease.hostname),
                clientID: string(lease.clientid))
        }
    }

    /// Adds, changes or removes one piece of a network's definition, live and/or persistent.
    /// The corresponding C function is `virNetworkUpdate`.
    public func update(
        _ command: NetworkUpdateCommand, section: NetworkUpdateSection, xml: String,
        parentIndex: Int32 = -1, impact: NetworkUpdateImpact = .current
    ) throws {
        try Call.status {
            virNetworkUpdate(handle, command.rawValue, section.rawValue, parentIndex, xml, impact.rawValue)
        }
    }

    /// Adds a static DHCP host (`<host mac= ip= name=/>`) to the first IPv4 range,
    /// so the guest with that MAC always gets `ip`.
    public func addDHCPHost(xml: String, impact: NetworkUpdateImpact = .current) throws {
        try update(.addLast, section: .ipDHCPHost, xml: xml, impact: impact)
    }

    /// Removes a static DHCP host matching `xml`'s MAC or name.
    public func removeDHCPHost(xml: String, impact: NetworkUpdateImpact = .current) throws {
        try update(.delete, section: .ipDHCPHost, xml: xml, impact: impact)
    }
}

/// A DHCP lease handed out by a libvirt network (`virNetworkDHCPLease`).
public struct DHCPLease: Hashable, Sendable {
    public var interface: String
    /// Seconds since the epoch.
    public var expiryTime: Int64
    public var family: DomainInterface.Family
    public var mac: String
    public var ipAddress: String
    public var prefix: Int
    public var hostname: String?
    public var clientID: String?
}

/// `virNetworkUpdateCommand`.
public struct NetworkUpdateCommand: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let modify = Self(rawValue: VIR_NETWORK_UPDATE_COMMAND_MODIFY.rawValue)
    public static let delete = Self(rawValue: VIR_NETWORK_UPDATE_COMMAND_DELETE.rawValue)
    public static let addLast = Self(rawValue: VIR_NETWORK_UPDATE_COMMAND_ADD_LAST.rawValue)
    public static let addFirst = Self(rawValue: VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST.rawValue)
}

/// `virNetworkUpdateSection`.
public struct NetworkUpdateSection: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let bridge = Self(rawValue: VIR_NETWORK_SECTION_BRIDGE.rawValue)
    public static let domain = Self(rawValue: VIR_NETWORK_SECTION_DOMAIN.rawValue)
    public static let ip = Self(rawValue: VIR_NETWORK_SECTION_IP.rawValue)
    public static let ipDHCPHost = Self(rawValue: VIR_NETWORK_SECTION_IP_DHCP_HOST.rawValue)
    public static let ipDHCPRange = Self(rawValue: VIR_NETWORK_SECTION_IP_DHCP_RANGE.rawValue)
    public static let forward = Self(rawValue: VIR_NETWORK_SECTION_FORWARD.rawValue)
    public static let dnsHost = Self(rawValue: VIR_NETWORK_SECTION_DNS_HOST.rawValue)
    public static let dnsTXT = Self(rawValue: VIR_NETWORK_SECTION_DNS_TXT.rawValue)
    public static let dnsSRV = Self(rawValue: VIR_NETWORK_SECTION_DNS_SRV.rawValue)
}

/// Which definition `Network.update` changes (`virNetworkUpdateFlags`).
public struct NetworkUpdateImpact: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The running network if active, else the persistent definition.
    public static let current: Self = []
    public static let live = Self(rawValue: VIR_NETWORK_UPDATE_AFFECT_LIVE.rawValue)
    public static let config = Self(rawValue: VIR_NETWORK_UPDATE_AFFECT_CONFIG.rawValue)
}
