import FoundationEssentials

/// How a virtual network reaches the outside (`<forward mode=…>`).
public enum ForwardMode: Sendable, Hashable, Codable {
    /// NAT to the host's default route (`mode='nat'`).
    case nat
    /// Isolated / host-only: no `<forward>` element.
    case isolated
    /// Routed, optionally through one host device (`mode='route'`).
    case route(device: String?)
    /// Routed with no firewall rules added (`mode='open'`).
    case open
    /// An existing host bridge, managed outside libvirt (`mode='bridge'` plus `<bridge name=…>`).
    case bridge
    /// macvtap on a host device (`mode='bridge'` plus `<interface dev=…>`).
    case macvtap(device: String)
    /// A mode vmctl reads but does not model (`hostdev`, `passthrough`,
    /// `private`, `vepa`, …): its `<forward>` element is kept exactly as read,
    /// and it cannot be built in code.
    case unmodeled(mode: String)

    /// Whether libvirt manages addressing (IP, DHCP, DNS) for this mode.
    public var hasAddressing: Bool {
        switch self {
        case .nat, .isolated, .route, .open: return true
        case .bridge, .macvtap, .unmodeled: return false
        }
    }
}

/// `<bridge>`: the bridge device libvirt creates (or, in ``ForwardMode/bridge`` mode, uses).
public struct BridgeSettings: Sendable, Hashable, Codable {
    public var name: String?
    /// Spanning tree protocol.
    public var stp: Bool?
    /// Forward delay, in seconds.
    public var delay: Int?

    public init(name: String? = nil, stp: Bool? = true, delay: Int? = 0) {
        self.name = name
        self.stp = stp
        self.delay = delay
    }
}

/// A static DHCP lease (`<dhcp><host mac=… name=… ip=…/>`).
public struct DHCPHost: Sendable, Hashable, Codable {
    /// The client's MAC (IPv4 only).
    public var mac: MACAddress?
    public var name: String?
    public var ip: IPAddress

    public init(mac: MACAddress? = nil, name: String? = nil, ip: IPAddress) {
        self.mac = mac
        self.name = name
        self.ip = ip
    }
}

/// A DNS host entry (`<dns><host ip=…><hostname>…</hostname></host></dns>`).
public struct DNSHost: Sendable, Hashable, Codable {
    public var ip: IPAddress
    public var hostnames: [String]

    public init(ip: IPAddress, hostnames: [String]) {
        self.ip = ip
        self.hostnames = hostnames
    }
}

/// One `<ip>` of a network: the host side address with its prefix, DHCP ranges and static hosts.
public struct NetworkIP: Sendable, Hashable, Codable, PreservedValue {
    /// The host's address on the network (the guests' gateway) and the prefix, e.g. `192.168.100.1/24`.
    public var address: IPNetwork
    public var dhcpRanges: [DHCPRange]
    public var hosts: [DHCPHost]
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case address, dhcpRanges, hosts }

    public init(address: IPNetwork, dhcpRanges: [DHCPRange] = [], hosts: [DHCPHost] = []) {
        self.address = address
        self.dhcpRanges = dhcpRanges
        self.hosts = hosts
    }

    /// The conventional setup for a subnet: the gateway (first host) as the host address,
    /// and the default DHCP range (the rest of the subnet).
    public init(subnet: IPNetwork, dhcp: Bool = true) throws {
        guard let gateway = subnet.gateway else {
            throw ModelError(field: "ip", value: subnet.description, rule: "subnet is too small to hold a gateway and hosts")
        }
        try self.init(
            address: IPNetwork(address: gateway, prefixLength: subnet.prefixLength),
            dhcpRanges: dhcp ? (subnet.defaultDHCPRange.map { [$0] } ?? []) : [])
    }

    static func reread(_ element: XMLTree.Element) throws -> NetworkIP { try NetworkIP(element: element, field: "") }

    init(element e: XMLTree.Element, field: String) throws {
        original = PreservedXML(e)
        let host = try IPAddress(try e.required("address", field: field), field: field + ".address")
        if let prefix = e.attribute("prefix") {
            address = try IPNetwork(address: host, prefixLength: try parseInt(prefix, field: field + ".prefix"), field: field + ".prefix")
        } else if let netmask = e.attribute("netmask") {
            address = try IPNetwork(address: host, netmask: netmask, field: field + ".netmask")
        } else {
            address = try IPNetwork(address: host, prefixLength: host.isIPv4 ? 24 : 64, field: field + ".prefix")
        }
        let dhcp = e.child("dhcp")
        dhcpRanges = try (dhcp?.children("range") ?? []).enumerated().map { i, r in
            let f = field + ".dhcp.range[\(i)]"
            return DHCPRange(
                start: try IPAddress(try r.required("start", field: f), field: f + ".start"),
                end: try IPAddress(try r.required("end", field: f), field: f + ".end"))
        }
        hosts = try (dhcp?.children("host") ?? []).enumerated().map { i, h in
            let f = field + ".dhcp.host[\(i)]"
            return DHCPHost(
                mac: try h.attribute("mac").map { try MACAddress($0, field: f + ".mac") }, name: h.attribute("name"),
                ip: try IPAddress(try h.required("ip", field: f), field: f + ".ip"))
        }
    }

    func validate(field: String) throws {
        if isAsRead { return }
        for (i, range) in dhcpRanges.enumerated() {
            try address.validate(range, field: field + ".dhcp.range[\(i)]")
        }
        for (i, host) in hosts.enumerated() {
            let f = field + ".dhcp.host[\(i)]"
            guard address.contains(host.ip), host.ip != address.address, host.ip != address.network else {
                throw ModelError(field: f + ".ip", value: host.ip.description, rule: "must be a host address inside \(address.network)/\(address.prefixLength) other than the gateway")
            }
            if let name = host.name { try TextRule.checkHostname(name, field: f + ".name") }
            if address.isIPv4 && host.mac == nil && host.name == nil {
                throw ModelError(field: f, rule: "an IPv4 static host needs a MAC or a name")
            }
            if !address.isIPv4 && host.mac != nil {
                throw ModelError(field: f + ".mac", rule: "IPv6 static hosts are matched by name, not MAC")
            }
        }
    }

    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        var e = original.base("ip")
        if differs(\.address, from: was) {
            if !address.isIPv4 { e.setAttribute("family", "ipv6") }
            if (try? IPAddress(e.attribute("address") ?? "")) != address.address {
                e.setAttribute("address", address.address.description)
            }
            if let netmask = e.attribute("netmask"), netmask == address.netmask {
                // Same subnet written as a netmask: leave it.
            } else {
                e.setAttribute("netmask", nil)
                e.setAttribute("prefix", String(address.prefixLength))
            }
        }
        if differs(\.dhcpRanges, from: was) || differs(\.hosts, from: was) { applyDHCP(to: &e) }
        return e
    }

    private func applyDHCP(to e: inout XMLTree.Element) {
        let order = ["tftp", "dhcp"]
        if dhcpRanges.isEmpty && hosts.isEmpty {
            e.setChild("dhcp", nil, order: order)
        } else {
            e.updateChild("dhcp", order: order) { d in
                let ranges = d.children("range")
                d.replaceChildren(
                    named: "range",
                    with: dhcpRanges.map { r in
                        ranges.first { (try? IPAddress($0.attribute("start") ?? "")) == r.start && (try? IPAddress($0.attribute("end") ?? "")) == r.end }
                            ?? d.makeChild("range", [("start", r.start.description), ("end", r.end.description)])
                    }, order: ["range", "host", "bootp"])
                let existingHosts = d.children("host")
                d.replaceChildren(
                    named: "host",
                    with: hosts.map { h in
                        existingHosts.first {
                            (try? $0.attribute("mac").map { try MACAddress($0) }) == h.mac && $0.attribute("name") == h.name
                                && (try? IPAddress($0.attribute("ip") ?? "")) == h.ip
                        } ?? d.makeChild("host", [("mac", h.mac?.description), ("name", h.name), ("ip", h.ip.description)])
                    }, order: ["range", "host", "bootp"])
            }
        }
    }
}

/// A libvirt virtual network (`<network>`).
public struct NetworkDefinition: XMLDocumentConvertible, PreservedValue, Hashable, Codable {
    public var name: ObjectName
    public var uuid: UUID?
    public var forward: ForwardMode
    public var bridge: BridgeSettings?
    /// The MTU of the bridge, in bytes.
    public var mtu: Int?
    /// The DNS domain handed to guests (`<domain name=…/>`).
    public var domainName: String?
    public var dnsHosts: [DNSHost]
    public var ips: [NetworkIP]
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case name, uuid, forward, bridge, mtu, domainName, dnsHosts, ips }

    public init(
        name: ObjectName, uuid: UUID? = nil, forward: ForwardMode = .nat, bridge: BridgeSettings? = nil, mtu: Int? = nil,
        domainName: String? = nil, dnsHosts: [DNSHost] = [], ips: [NetworkIP] = []
    ) {
        self.name = name
        self.uuid = uuid
        self.forward = forward
        self.bridge = bridge
        self.mtu = mtu
        self.domainName = domainName
        self.dnsHosts = dnsHosts
        self.ips = ips
    }

    static let order = [
        "name", "uuid", "metadata", "forward", "bridge", "mtu", "mac", "domain", "dns", "bandwidth", "vlan",
        "port", "portgroup", "ip", "route", "dnsmasq:options",
    ]

    public init(xml: String) throws {
        try self.init(element: try parseRoot(xml, expected: "network"))
    }

    static func reread(_ element: XMLTree.Element) throws -> NetworkDefinition { try NetworkDefinition(element: element) }

    init(element root: XMLTree.Element) throws {
        original = PreservedXML(root)
        name = try ObjectName(libvirtName: try root.requiredChild("name", field: "name").text)
        uuid = try root.childText("uuid").map { try parseUUID($0) }
        if let f = root.child("forward") {
            let device = f.attribute("dev") ?? f.child("interface")?.attribute("dev")
            switch f.attribute("mode") ?? "nat" {
            case "nat": forward = .nat
            case "route": forward = .route(device: device)
            case "open": forward = .open
            case "bridge":
                if let dev = f.child("interface")?.attribute("dev") { forward = .macvtap(device: dev) } else { forward = .bridge }
            case let other: forward = .unmodeled(mode: other)
            }
        } else {
            forward = .isolated
        }
        bridge = try root.child("bridge").map { b in
            BridgeSettings(
                name: b.attribute("name"), stp: b.attribute("stp").map { $0 == "on" },
                delay: try b.intAttribute("delay", field: "bridge.delay"))
        }
        mtu = try root.child("mtu")?.intAttribute("size", field: "mtu.size")
        domainName = root.child("domain")?.attribute("name")
        dnsHosts = try (root.child("dns")?.children("host") ?? []).enumerated().map { i, h in
            DNSHost(
                ip: try IPAddress(try h.required("ip", field: "dns.host[\(i)]"), field: "dns.host[\(i)].ip"),
                hostnames: h.children("hostname").map(\.text))
        }
        ips = try root.children("ip").enumerated().map { try NetworkIP(element: $1, field: "ip[\($0)]") }
    }

    public func validate() throws {
        // A network as libvirt gave it is libvirt's to judge; only what changed is checked.
        let was = asRead
        if was == self { return }
        if differs(\.forward, from: was) || differs(\.bridge, from: was) { try validateForward() }
        if differs(\.forward, from: was) || differs(\.ips, from: was) || differs(\.domainName, from: was) || differs(\.dnsHosts, from: was),
            !forward.hasAddressing && (!ips.isEmpty || domainName != nil || !dnsHosts.isEmpty)
        {
            throw ModelError(field: "ip", rule: "bridge and macvtap networks cannot have addresses, DHCP, a domain or DNS entries")
        }
        if let mtu, differs(\.mtu, from: was), !(68...65535).contains(mtu) {
            throw ModelError(field: "mtu", value: String(mtu), rule: "must be 68–65535")
        }
        if let domainName, differs(\.domainName, from: was) { try TextRule.checkHostname(domainName, field: "domain.name") }
        if differs(\.dnsHosts, from: was) { try validateDNSHosts() }
        for (i, ip) in ips.enumerated() { try ip.validate(field: "ip[\(i)]") }
        guard differs(\.ips, from: was) else { return }
        if let (a, b) = IPNetwork.firstOverlap(in: ips.map(\.address)) {
            throw ModelError(field: "ip", value: "\(a) \(b)", rule: "subnets of one network must not overlap")
        }
        if ips.filter({ $0.address.isIPv4 && !$0.dhcpRanges.isEmpty }).count > 1 {
            throw ModelError(field: "ip", rule: "only one IPv4 address may have DHCP")
        }
    }

    private func validateDNSHosts() throws {
        for (i, host) in dnsHosts.enumerated() {
            if host.hostnames.isEmpty { throw ModelError(field: "dns.host[\(i)]", rule: "needs at least one hostname") }
            for (j, name) in host.hostnames.enumerated() { try TextRule.checkHostname(name, field: "dns.host[\(i)].hostname[\(j)]") }
        }
    }

    private func validateForward() throws {
        switch forward {
        case .route(let device?): try TextRule.checkDeviceName(device, field: "forward.dev")
        case .macvtap(let device): try TextRule.checkDeviceName(device, field: "forward.interface.dev")
        case .unmodeled(let mode):
            guard original.element?.child("forward")?.attribute("mode") == mode else {
                throw ModelError(field: "forward.mode", value: mode, rule: "modes vmctl does not model can only be kept from XML that was read")
            }
        default: break
        }
        if let bridgeName = bridge?.name {
            try TextRule.checkDeviceName(bridgeName, field: "bridge.name")
        }
        if case .bridge = forward, bridge?.name == nil {
            throw ModelError(field: "bridge.name", rule: "bridge mode needs the name of an existing host bridge")
        }
        if case .macvtap = forward, bridge != nil {
            throw ModelError(field: "bridge", rule: "a macvtap network has no bridge")
        }
        if let delay = bridge?.delay, delay < 0 {
            throw ModelError(field: "bridge.delay", value: String(delay), rule: "must not be negative")
        }
    }

    public func xml() throws -> String {
        try validate()
        return element().serialized()
    }

    /// The network's tree: the preserved one with only the fields that changed applied.
    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        let order = NetworkDefinition.order
        var e = original.base("network")
        if differs(\.name, from: was) { e.setTextChild("name", name.rawValue, order: order) }
        if differs(\.uuid, from: was) { e.setUUID(uuid, order: order) }
        if differs(\.forward, from: was) { applyForward(to: &e) }
        if differs(\.bridge, from: was) {
            if let bridge {
                e.updateChild("bridge", order: order) { b in
                    b.setAttribute("name", bridge.name)
                    b.setAttribute("stp", bridge.stp.map { $0 ? "on" : "off" })
                    b.setAttribute("delay", bridge.delay.map(String.init))
                }
            } else {
                e.setChild("bridge", nil, order: order)
            }
        }
        if differs(\.mtu, from: was) {
            if let mtu {
                e.updateChild("mtu", order: order) { $0.setAttribute("size", String(mtu)) }
            } else {
                e.setChild("mtu", nil, order: order)
            }
        }
        if differs(\.domainName, from: was) {
            if let domainName {
                e.updateChild("domain", order: order) { $0.setAttribute("name", domainName) }
            } else {
                e.setChild("domain", nil, order: order)
            }
        }
        if differs(\.dnsHosts, from: was) { applyDNSHosts(to: &e) }
        if differs(\.ips, from: was) { e.replaceChildren(named: "ip", with: ips.map { $0.element() }, order: order) }
        return e
    }

    private func applyForward(to e: inout XMLTree.Element) {
        let order = NetworkDefinition.order
        func setForward(_ mode: String?, dev: String? = nil, interface: String? = nil) {
            guard let mode else {
                e.setChild("forward", nil, order: order)
                return
            }
            e.updateChild("forward", order: order) { f in
                f.setAttribute("mode", mode)
                f.setAttribute("dev", dev)
                if let interface {
                    if f.child("interface")?.attribute("dev") != interface {
                        f.setChild("interface", f.makeChild("interface", [("dev", interface)]), order: ["nat", "pf", "interface"])
                    }
                } else if f.children("interface").contains(where: { $0.attribute("dev") != dev }) {
                    // libvirt lists the forward device again as <interface dev=…>; keep it while it matches.
                    f.setChild("interface", nil, order: [])
                }
            }
        }
        switch forward {
        case .nat: setForward("nat", dev: e.child("forward")?.attribute("dev"))
        case .isolated: setForward(nil)
        case .route(let device): setForward("route", dev: device)
        case .open: setForward("open")
        case .bridge: setForward("bridge")
        case .macvtap(let device):
            let dev = e.child("forward")?.attribute("dev")
            setForward("bridge", dev: dev == device ? dev : nil, interface: device)
        case .unmodeled: break  // the <forward> element read stays as it was
        }
    }

    private func applyDNSHosts(to e: inout XMLTree.Element) {
        let order = NetworkDefinition.order
        if dnsHosts.isEmpty {
            if var dns = e.child("dns") {
                dns.replaceChildren(named: "host", with: [], order: [])
                e.setChild("dns", dns.children.isEmpty && dns.attributes.isEmpty ? nil : dns, order: order)
            }
        } else {
            e.updateChild("dns", order: order) { dns in
                let existing = dns.children("host")
                dns.replaceChildren(
                    named: "host",
                    with: dnsHosts.map { h in
                        if let same = existing.first(where: {
                            (try? IPAddress($0.attribute("ip") ?? "")) == h.ip && $0.children("hostname").map(\.text) == h.hostnames
                        }) {
                            return same
                        }
                        var host = dns.makeChild("host", [("ip", h.ip.description)])
                        host.children = h.hostnames.map { .element(dns.makeChild("hostname", text: $0)) }
                        return host
                    }, order: ["forwarder", "txt", "host", "srv"])
            }
        }
    }
}

extension NetworkDefinition {
    /// The subnets this network addresses, as network/prefix (`192.168.100.0/24`).
    public var subnets: [IPNetwork] {
        ips.compactMap { try? IPNetwork(address: $0.address.network, prefixLength: $0.address.prefixLength) }
    }

    /// Pairs of (this network's subnet, `other`'s subnet) that overlap; empty when the two can coexist on one host.
    public func overlappingSubnets(with other: NetworkDefinition) -> [(IPNetwork, IPNetwork)] {
        var pairs: [(IPNetwork, IPNetwork)] = []
        for mine in subnets {
            for theirs in other.subnets where mine.overlaps(theirs) { pairs.append((mine, theirs)) }
        }
        return pairs
    }
}
