import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// What `vmctl net create` was asked for, as typed.
public struct NetworkCreateRequest: Sendable, Hashable {
    public var name: String
    public var mode: NetworkMode
    /// CIDR with host bits clear, e.g. `10.77.5.0/24`. Required except in bridge mode.
    public var subnet: String?
    /// `START-END` inside the subnet; default: the subnet after the gateway.
    public var dhcpRange: String?
    /// Bridge mode: the existing host bridge. Other modes: the name of the bridge libvirt creates.
    public var bridge: String?
    /// DNS domain for guests.
    public var domain: String?
    public var dhcp: Bool
    public var autostart: Bool
    public var start: Bool

    public init(
        name: String, mode: NetworkMode, subnet: String? = nil, dhcpRange: String? = nil, bridge: String? = nil,
        domain: String? = nil, dhcp: Bool = true, autostart: Bool = false, start: Bool = true
    ) {
        self.name = name
        self.mode = mode
        self.subnet = subnet
        self.dhcpRange = dhcpRange
        self.bridge = bridge
        self.domain = domain
        self.dhcp = dhcp
        self.autostart = autostart
        self.start = start
    }
}

/// The logic of `vmctl net …`: validation before any change, rollback after a failed step.
public struct NetworkService {
    public let connection: Connection
    /// The daemon's host's addresses, routes and interfaces; injected in tests.
    /// Nil: read through the port for the connection (`HostNetworkState.of`), local or remote.
    public var host: (() -> HostNetworkState)?
    /// Starts a network; tests replace it to force a failure.
    var startNetwork: (Network) throws -> Void = { network in try network.start() }

    public init(connection: Connection, host: (() -> HostNetworkState)? = nil) {
        self.connection = connection
        self.host = host
    }

    /// The host facts the checks compare against.
    func hostState() throws(VMCtlError) -> HostNetworkState {
        if let host { return host() }
        return try HostNetworkState.of(connection, local: try StorageService(connection: connection).isLocal())
    }

    // MARK: - Lookup

    /// Looks a network up; a missing one is bad input (exit 64) naming it.
    public func network(named name: String) throws(VMCtlError) -> Network {
        try lookUp("looking up network '\(name)'", missing: .noNetwork, field: .option("network"), notFound: "no network named '\(name)'") {
            try connection.network(named: name)
        }
    }

    /// Every network's name and subnets, from its current definition.
    func subnets() throws(VMCtlError) -> [(name: String, subnet: IPNetwork)] {
        let networks = try libvirt("listing networks") { try connection.networks() }
        var out: [(name: String, subnet: IPNetwork)] = []
        for network in networks {
            // One removed since the listing has no subnet; one that cannot be read is a failed call, not a free subnet.
            guard let xml = try find("reading network '\(network.name)'", missing: .noNetwork, { try network.xml() }) else { continue }
            // A definition the model cannot read (a kind vmctl does not make) has no subnet it knows.
            let definition = try? NetworkDefinition(xml: xml)
            out += (definition?.ips ?? []).map { (network.name, $0.address) }
        }
        return out
    }

    // MARK: - Create

    /// Checks the request against the rules, the other networks and the host, and
    /// returns the definition it would create. Changes nothing.
    public func plan(_ request: NetworkCreateRequest) throws(VMCtlError) -> NetworkDefinition {
        let name = try parsed(as: .network(.name)) { () throws in try ObjectName(request.name, field: "name") }
        if try find("looking up network '\(request.name)'", missing: .noNetwork, { try connection.network(named: request.name) }) != nil {
            throw .invalid(field: .network(.name), "a network named '\(request.name)' already exists")
        }
        let hostState = try hostState()
        var definition = NetworkDefinition(name: name)
        if request.mode.joinsHostBridge {
            try planBridgeMode(request, host: hostState, into: &definition)
        } else {
            try planRouted(request, host: hostState, into: &definition)
        }
        do {
            _ = try definition.xml()
        } catch let error as ModelError {
            throw .invalid(field: Self.field(of: error), error.statement)
        } catch {
            throw VMCtlError("\(error)", status: .usage)
        }
        return definition
    }

    /// Bridge mode: an existing host bridge, and no addresses of libvirt's.
    func planBridgeMode(_ request: NetworkCreateRequest, host hostState: HostNetworkState, into definition: inout NetworkDefinition) throws(VMCtlError) {
        for (field, given) in [(NetworkField.subnet, request.subnet != nil), (.dhcpRange, request.dhcpRange != nil), (.domain, request.domain != nil)]
        where given {
            throw .invalid(field: .network(field), "not allowed in bridge mode: guests get their addresses from the host bridge's LAN")
        }
        guard let bridge = request.bridge else {
            throw .invalid(field: .network(.bridge), "bridge mode needs the name of an existing host bridge")
        }
        try checkInterfaceName(bridge)
        guard hostState.bridge(bridge) != false else {
            throw .invalid(field: .network(.bridge), "'\(bridge)' is not a bridge on this host (no /sys/class/net/\(bridge)/bridge)")
        }
        definition.forward = .bridge
        definition.bridge = BridgeSettings(name: bridge, stp: nil, delay: nil)
    }

    /// NAT, routed and isolated modes: a subnet that overlaps nothing, its
    /// DHCP range, and a bridge libvirt creates.
    func planRouted(_ request: NetworkCreateRequest, host hostState: HostNetworkState, into definition: inout NetworkDefinition) throws(VMCtlError) {
        let subnet = try checkedSubnet(request)
        var ip = try parsed { () throws in try NetworkIP(subnet: subnet, dhcp: request.dhcp) }
        if let rangeText = request.dhcpRange {
            ip.dhcpRanges = [try dhcpRange(rangeText, in: ip)]
        } else if let range = ip.dhcpRanges.first, Self.blockEnd(of: range.start) < range.end {
            // The default range of a large subnet (an IPv6 /64, an IPv4 /15) is cut to libvirt's limit.
            ip.dhcpRanges = [DHCPRange(start: range.start, end: Self.blockEnd(of: range.start))]
        }
        if let bridge = request.bridge {
            try checkInterfaceName(bridge)
            if hostState.hasInterface(bridge) {
                throw .invalid(
                    field: .network(.bridge),
                    "'\(bridge)' already exists on this host; libvirt creates the bridge of \(request.mode.rawValue) networks itself (use --mode bridge to attach to an existing one)")
            }
            definition.bridge = BridgeSettings(name: bridge)
        } else {
            definition.bridge = BridgeSettings()
        }
        if let conflict = SubnetConflict.first(for: subnet, networks: try subnets(), host: hostState) {
            throw .invalid(field: .network(.subnet), "\(subnet.subnetText) overlaps \(conflict)")
        }
        definition.forward = request.mode.forward
        definition.ips = [ip]
        if let domain = request.domain {
            definition.domainName = domain
        }
    }

    /// `--subnet`: given, a network address, one that can hold guests, and not too small.
    func checkedSubnet(_ request: NetworkCreateRequest) throws(VMCtlError) -> IPNetwork {
        guard let subnetText = request.subnet else {
            throw .invalid(field: .network(.subnet), "required for \(request.mode.rawValue) networks: give a CIDR such as 192.168.100.0/24")
        }
        let subnet = try parsed(as: .network(.subnet)) { () throws in try IPNetwork(cidr: subnetText, field: "--subnet") }
        guard subnet.address == subnet.network else {
            throw .invalid(field: .network(.subnet),
                           ModelError(field: "--subnet", value: subnetText, rule: "host bits must be zero; write \(subnet.subnetText)").statement)
        }
        if !request.dhcp && request.dhcpRange != nil {
            throw .invalid(field: .network(.dhcpRange), "cannot be combined with --no-dhcp")
        }
        if let rule = Self.subnetRule(subnet) {
            throw .invalid(field: .network(.subnet), "\(subnetText) \(rule)")
        }
        let longest = subnet.isIPv4 ? 30 : 126
        guard subnet.prefixLength <= longest else {
            throw .invalid(field: .network(.subnet), "\(subnetText) is too small: use a prefix of /\(longest) or shorter")
        }
        return subnet
    }

    /// `--dhcp-range START-END`: inside the subnet, within libvirt's limit.
    func dhcpRange(_ rangeText: String, in ip: NetworkIP) throws(VMCtlError) -> DHCPRange {
        let parts = rangeText.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .invalid(field: .network(.dhcpRange),
                           ModelError(field: "--dhcp-range", value: rangeText, rule: "write START-END, e.g. 192.168.100.100-192.168.100.200").statement)
        }
        let range = try parsed(as: .network(.dhcpRange)) { () throws in
            DHCPRange(
                start: try IPAddress(String(parts[0]), field: "--dhcp-range"),
                end: try IPAddress(String(parts[1]), field: "--dhcp-range"))
        }
        try parsed(as: .network(.dhcpRange)) { () throws in try ip.address.validate(range, field: "--dhcp-range") }
        guard Self.blockEnd(of: range.start) >= range.end else {
            throw .invalid(field: .network(.dhcpRange), ModelError(
                field: "--dhcp-range", value: rangeText,
                rule: "libvirt allows at most 65535 addresses: start and end must share one /\(range.start.isIPv4 ? 16 : 112)"
            ).statement)
        }
        return range
    }

    /// Why `subnet` cannot hold guests, or nil: IPv4's "this network"
    /// (0/8), loopback, link-local, multicast and the reserved 240/4; IPv6's
    /// loopback, link-local and multicast.
    public static func subnetRule(_ subnet: IPNetwork) -> String? {
        let first = subnet.network.bytes
        if subnet.isIPv4 {
            switch first[0] {
            case 0: return "is not allowed: 0.0.0.0/8 means this host, not a network"
            case 127: return "is not allowed: 127.0.0.0/8 is loopback"
            case 224...239: return "is not allowed: 224.0.0.0/4 is multicast"
            case 240...255: return "is not allowed: 240.0.0.0/4 is reserved"
            case 169 where first[1] == 254: return "is not allowed: 169.254.0.0/16 is link-local"
            default: return nil
            }
        }
        if first[0] == 0xff { return "is not allowed: ff00::/8 is multicast" }
        if first[0] == 0xfe && first[1] & 0xc0 == 0x80 { return "is not allowed: fe80::/10 is link-local" }
        if first.dropLast().allSatisfy({ $0 == 0 }) { return "is not allowed: ::/128 and ::1 are not networks" }
        return nil
    }

    /// Plans the network and makes it through the one apply path (`apply`).
    public func create(_ request: NetworkCreateRequest) throws(VMCtlError) -> NetworkSummary {
        let network = try apply(try plan(request), autostart: request.autostart, start: request.start)
        return try summary(of: network)
    }

    // MARK: - Read

    public func list() throws(VMCtlError) -> [NetworkSummary] {
        let networks = try libvirt("listing networks") { try connection.networks() }
        var out: [NetworkSummary] = []
        for network in networks {
            do {
                out.append(try summary(of: network))
            } catch where error.libvirtError?.code == .noNetwork {
                // Removed by someone else since the listing: not there any more.
            }
        }
        return out.sorted { $0.name < $1.name }
    }

    public func show(_ name: String) throws(VMCtlError) -> NetworkDetail {
        let network = try network(named: name)
        let s = try summary(of: network)
        let definition = try? NetworkDefinition(xml: try libvirt("reading network '\(name)'") { try network.xml() })
        let ip = definition.flatMap(primaryIP(of:))
        return NetworkDetail(
            name: s.name, uuid: s.uuid, active: s.active, autostart: s.autostart, persistent: s.persistent, bridge: s.bridge,
            mode: s.mode, subnet: s.subnet, gateway: ip?.address.address.description,
            dhcpRanges: (ip?.dhcpRanges ?? []).map { AddressRange(start: $0.start.description, end: $0.end.description) },
            domain: definition?.domainName,
            reservations: (ip?.hosts ?? []).map { NetworkReservation(mac: $0.mac?.description, ip: $0.ip.description, host: $0.name) },
            usedBy: try domainsUsing(name))
    }

    public func leases(_ name: String) throws(VMCtlError) -> [NetworkLease] {
        let network = try network(named: name)
        let leases = try libvirt("reading the DHCP leases of network '\(name)'") { try network.dhcpLeases() }
        return leases.map { lease in
            NetworkLease(
                ip: lease.ipAddress, prefix: lease.prefix, mac: lease.mac, hostname: lease.hostname, expiryTime: lease.expiryTime,
                expiry: Date(timeIntervalSince1970: TimeInterval(lease.expiryTime)).ISO8601Format())
        }.sorted { ($0.ip, $0.mac) < ($1.ip, $1.mac) }
    }

    /// Running domains with an interface on network `name`, sorted.
    public func domainsUsing(_ name: String) throws(VMCtlError) -> [String] {
        let domains = try libvirt("listing running domains") { try connection.domains(.active) }
        return domains.filter { domain in
            guard let xml = try? domain.xml() else { return false }
            if let definition = try? DomainDefinition(xml: xml) {
                return definition.interfaces.contains { $0.source == .network(name) }
            }
            // A domain the model cannot read: count it when its XML names the network at all.
            return xml.contains("network='\(name)'")
        }.map(\.name).sorted()
    }

    /// Who already holds `mac` on network `name`: a NIC of a defined or
    /// running domain on it, or a DHCP reservation naming a host other than
    /// `owners` (a reservation for the guest being made is what pins its
    /// address). nil when the address is free there. Domains that vanish or
    /// that the model cannot read while being listed are skipped.
    /// The C functions are `virConnectListAllDomains`, `virDomainGetXMLDesc`
    /// and `virNetworkGetXMLDesc`.
    func macHolder(_ mac: MACAddress, on name: String, owners: Set<String>) throws(VMCtlError) -> String? {
        let domains = try libvirt("listing domains") { try connection.domains() }
        for domain in domains {
            guard let xml = try? domain.xml([.inactive]), let definition = try? DomainDefinition(xml: xml) else { continue }
            if definition.interfaces.contains(where: { $0.mac == mac && $0.source == .network(name) }) {
                return "domain '\(definition.name)'"
            }
        }
        let network = try self.network(named: name)
        let xml = try persistentXML(of: network, name: name)
        let hosts = (try? NetworkDefinition(xml: xml))?.ips.flatMap(\.hosts) ?? []
        if let reserved = hosts.first(where: { $0.mac == mac }), let host = reserved.name, !owners.contains(host) {
            return "the reservation of \(reserved.ip) for '\(host)'"
        }
        return nil
    }

    // MARK: - Change

    public func start(_ name: String) throws(VMCtlError) -> ActionResult {
        let network = try network(named: name)
        try Self.start(network, name: name)
        return ActionResult(kind: "network", name: name, action: "started")
    }

    public func stop(_ name: String) throws(VMCtlError) -> ActionResult {
        let network = try network(named: name)
        try libvirt("stopping network '\(name)'") { try network.destroy() }
        return ActionResult(kind: "network", name: name, action: "stopped")
    }

    /// Stops (if active) and undefines the network. Refuses while running domains use it, unless `force`.
    public func delete(_ name: String, force: Bool) throws(VMCtlError) -> ActionResult {
        let network = try network(named: name)
        let users = try domainsUsing(name)
        if !users.isEmpty && !force {
            throw VMCtlError(
                "network '\(name)' is in use by running domain\(users.count == 1 ? "" : "s") \(users.map { "'\($0)'" }.joined(separator: ", ")); stop \(users.count == 1 ? "it" : "them") or use --force",
                status: .failure)
        }
        try Self.remove(network, name: name)
        return ActionResult(kind: "network", name: name, action: "deleted")
    }

    /// The one network delete (`net delete`, `lab down`): stops it when it
    /// runs, undefines it when it is persistent (a transient one is gone once stopped).
    /// virNetworkIsActive, virNetworkDestroy, virNetworkIsPersistent, virNetworkUndefine.
    static func remove(_ network: Network, name: String) throws(VMCtlError) {
        try libvirt("deleting network '\(name)'") {
            if try network.isActive() { try network.destroy() }
            if try network.isPersistent() { try network.undefine() }
        }
    }

    /// Adds a static DHCP host: live and persistent while the network runs, persistent only when it does not.
    public func reserve(_ name: String, mac macText: String, ip ipText: String, host hostName: String?) throws(VMCtlError) -> NetworkReservation {
        let network = try network(named: name)
        let mac = try MACAddress.given(macText, field: "--mac")
        let ip = try parsed { () throws in try IPAddress(ipText, field: "--ip") }
        if let hostName { _ = try parsed { () throws in try ObjectName(hostName, field: "--host") } }
        let current = try primaryIPv4(of: network, name: name)
        let subnet = current.address
        guard subnet.contains(ip), ip != subnet.network, ip != subnet.address, ip != subnet.lastAddress else {
            throw .invalid(
                field: "--ip",
                "\(ip) is not a host address of network '\(name)': use one inside \(subnet.subnetText) other than the gateway \(subnet.address) and the broadcast address")
        }
        if let same = current.hosts.first(where: { $0.mac == mac }) {
            throw .invalid(field: "--mac", "\(mac) already has a reservation on network '\(name)' (\(same.ip)); remove it with net unreserve first")
        }
        if let taken = current.hosts.first(where: { $0.ip == ip }) {
            throw .invalid(field: "--ip", "\(ip) is already reserved on network '\(name)' for \(taken.mac?.description ?? taken.name ?? "another host")")
        }
        if let hostName, current.hosts.contains(where: { $0.name == hostName }) {
            throw .invalid(field: "--host", "'\(hostName)' already has a reservation on network '\(name)'")
        }
        let host = DHCPHost(mac: mac, name: hostName, ip: ip)
        let impact = try impact(for: network, name: name)
        try libvirt("adding a DHCP reservation to network '\(name)'") {
            try network.addDHCPHost(xml: Self.hostXML(host), impact: impact)
        }
        return NetworkReservation(mac: mac.description, ip: ip.description, host: hostName)
    }

    /// Removes the static DHCP host with MAC `macText`.
    public func unreserve(_ name: String, mac macText: String) throws(VMCtlError) -> NetworkReservation {
        let network = try network(named: name)
        let mac = try parsed { () throws in try MACAddress(macText, field: "--mac") }
        let current = try primaryIPv4(of: network, name: name)
        guard let host = current.hosts.first(where: { $0.mac == mac }) else {
            throw .invalid(field: "--mac", "network '\(name)' has no reservation for \(mac)")
        }
        let impact = try impact(for: network, name: name)
        try libvirt("removing a DHCP reservation from network '\(name)'") {
            try network.removeDHCPHost(xml: Self.hostXML(host), impact: impact)
        }
        return NetworkReservation(mac: mac.description, ip: host.ip.description, host: host.name)
    }

    // MARK: - Helpers

    /// Starts a defined network (`virNetworkCreate`). When its bridge already
    /// exists, the error says what that means and how to clear it: libvirt keeps
    /// bridge names unique among its own networks, so the device belongs to none
    /// of them, typically left by a daemon that died while starting this network.
    public static func start(_ network: Network, name: String) throws(VMCtlError) {
        do {
            try network.start()
        } catch {
            throw startFailure(error, of: network, while: "starting network '\(name)'")
        }
    }

    /// The error for a failed `virNetworkCreate` of `network`, `action` first.
    static func startFailure(_ error: any Error, of network: Network, while action: String) -> VMCtlError {
        guard let error = error as? LibvirtError, error.code == .systemError,
            error.message.contains("creating bridge interface"), error.message.contains("File exists")
        else { return .libvirt(error, while: action) }
        let bridge = (try? NetworkDefinition(xml: network.xml()))?.bridge?.name ?? "its bridge"
        return VMCtlError(
            "\(action): \(error); no network of this daemon uses \(bridge): if a daemon stopped while starting this network, "
                + "it left that bridge, so remove it on that host with `ip link delete \(bridge)`; else give the network another bridge",
            libvirtError: error)
    }

    /// The last address of the block a DHCP range starting at `start` may reach: libvirt
    /// limits a range to 65535 addresses by requiring start and end to share the
    /// first 16 bits (IPv4) or 112 bits (IPv6).
    static func blockEnd(of start: IPAddress) -> IPAddress {
        var bytes = start.bytes
        for i in (bytes.count - 2)..<bytes.count { bytes[i] = 0xFF }
        return start.isIPv4 ? .v4(bytes) : .v6(bytes)
    }

    func summary(of network: Network) throws(VMCtlError) -> NetworkSummary {
        let name = network.name
        return try libvirt("reading network '\(name)'") {
            let definition = try? NetworkDefinition(xml: try network.xml())
            let ip = definition.flatMap(primaryIP(of:))
            var bridge = definition?.bridge?.name
            if bridge == nil, definition.map({ if case .macvtap = $0.forward { false } else { true } }) ?? true {
                bridge = try? network.bridgeName()
            }
            return NetworkSummary(
                name: name, uuid: try network.uuid(), active: try network.isActive(), autostart: try network.autostart(),
                persistent: try network.isPersistent(), bridge: bridge, mode: definition?.forward.displayName ?? "unknown",
                subnet: ip?.address.subnetText)
        }
    }

    /// The IPv4 `<ip>` if there is one, else the first.
    func primaryIP(of definition: NetworkDefinition) -> NetworkIP? {
        definition.ips.first { $0.address.isIPv4 } ?? definition.ips.first
    }

    /// The persistent definition's IPv4 `<ip>` (the running one for a transient network).
    func primaryIPv4(of network: Network, name: String) throws(VMCtlError) -> NetworkIP {
        let xml = try persistentXML(of: network, name: name)
        guard let definition = try? NetworkDefinition(xml: xml), let ip = definition.ips.first(where: { $0.address.isIPv4 }) else {
            throw .invalid(field: "network", "network '\(name)' has no IPv4 subnet to reserve addresses in")
        }
        return ip
    }

    /// The persistent definition's XML (the running one for a transient network).
    func persistentXML(of network: Network, name: String) throws(VMCtlError) -> String {
        try libvirt("reading network '\(name)'") {
            do {
                return try network.xml(inactive: try network.isPersistent())
            } catch LibvirtError.Code.invalidArgument {
                // Drivers without VIR_NETWORK_XML_INACTIVE (the test driver) keep one definition.
                return try network.xml()
            }
        }
    }

    func impact(for network: Network, name: String) throws(VMCtlError) -> NetworkUpdateImpact {
        try libvirt("reading network '\(name)'") {
            let active = try network.isActive()
            let persistent = try network.isPersistent()
            var impact: NetworkUpdateImpact = []
            if active { impact.insert(.live) }
            if persistent { impact.insert(.config) }
            return impact
        }
    }

    /// `<host mac=… name=… ip=…/>` through the model's writer.
    static func hostXML(_ host: DHCPHost) -> String {
        var element = XMLTree.Element("host")
        element.setAttribute("mac", host.mac?.description)
        element.setAttribute("name", host.name)
        element.setAttribute("ip", host.ip.description)
        return element.serialized()
    }

    func checkInterfaceName(_ bridge: String) throws(VMCtlError) {
        guard !bridge.isEmpty, bridge.utf8.count <= 15,
            bridge.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0 != "/" && $0 != ":" && $0.value != 0x7F })
        else {
            throw .invalid(field: .network(.bridge),
                           ModelError(field: "--bridge", value: bridge, rule: "must be a Linux interface name: 1–15 characters, no spaces, '/' or ':'").statement)
        }
    }

    /// The input that sets a model field (the model's paths are the definition's, not the request's).
    static func field(of error: ModelError) -> InputField {
        let f = error.field
        if f.hasPrefix("domain") { return .network(.domain) }
        if f.hasPrefix("bridge") { return .network(.bridge) }
        if f.contains("dhcp.range") { return .network(.dhcpRange) }
        if f.hasPrefix("ip") { return .network(.subnet) }
        return .model(f)
    }
}

extension MACAddress {
    /// A MAC address a user gave for a NIC or a reservation: unicast (the
    /// model's rule) and not all zeros, which no NIC may carry.
    static func given(_ text: String, field: String) throws(VMCtlError) -> MACAddress {
        let mac = try parsed { try MACAddress(text, field: field) }
        guard mac.octets.contains(where: { $0 != 0 }) else {
            throw .invalid(field: field, "\"\(text)\" is not allowed: the all-zero address is no NIC's")
        }
        return mac
    }
}
