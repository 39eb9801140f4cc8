import FoundationEssentials
import Libvirt
import LibvirtXML
import YAML
#if canImport(Glibc)
import Glibc
#endif

/// The plan's `span:` block (Docs/multi-host.md): how lab networks used by
/// nodes on several hosts become one L2 segment. Without it, each host gets
/// its own copy of such a network, as before.
///
/// ```yaml
/// span:
///   home: local                      # DHCP, DNS and NAT of every spanned network; default: local, else the first host
///   hosts:
///     local: {address: 10.251.23.1, device: vw32703767}
///     host2: {address: 10.251.23.2, device: vmctlwire0, stand_in: host2}
/// ```
public struct LabSpan: Sendable, Equatable {
    /// One host's end of the underlay: the address its VXLAN ports use and
    /// the device they are bound to (the tunnel never takes another path).
    public struct Underlay: Sendable, Equatable {
        public var address: IPAddress
        public var device: KernelLinkName
        /// The underlay's MTU (default 1500); guests get 50 bytes less.
        public var mtu: Int
        /// How vmctl reaches the host's kernel.
        public var channel: HostChannel
        public var source = LabPlan.Source()
    }

    public var home: String?
    public var hosts: [String: Underlay]
    public var source = LabPlan.Source()

    /// Bytes a VXLAN header takes from each frame over IPv4 (outer IP 20,
    /// UDP 8, VXLAN 8, inner Ethernet 14).
    public static let overhead = 50
}

/// One lab network that spans hosts: the names and numbers every host's
/// part of it uses, derived from the lab's and the network's names so that
/// every run (and `lab down`) finds the same ones.
public struct SpannedSegment: Sendable, Equatable {
    public var network: String
    /// Serves the segment's DHCP, DNS and NAT: keeps the lab's own libvirt network.
    public var home: String
    /// Every host with a node on it, the home host first.
    public var hosts: [String]
    public var vni: Int
    public var port: Int
    /// The Linux bridge on each host (on the home host, libvirt's network makes it).
    public var bridge: KernelLinkName
    /// The VXLAN port on each host's bridge.
    public var vxlan: KernelLinkName
    /// The guests' MTU: the smallest underlay MTU less the VXLAN header.
    public var guestMTU: Int

    /// FNV-1a, 32 bits: the same on every machine and every run.
    static func hash(_ text: String) -> UInt32 {
        var value: UInt32 = 0x811c_9dc5
        for byte in text.utf8 { value = (value ^ UInt32(byte)) &* 0x0100_0193 }
        return value
    }

    /// A VNI of the lab's network: 4096 and up (below are often configured by hand), under 2^24.
    static func vni(lab: String, network: String) -> Int { 4096 + Int(hash("\(lab)/\(network)") % (0xFF_FFFF - 4096)) }

    /// One UDP port per lab, 47890–48889 (not the IANA 4789 a host's own VXLANs likely use).
    static func port(lab: String) -> Int { 47890 + Int(hash(lab) % 1000) }

    /// The segments of `plan`: every network used by nodes on more than one host, when the plan has `span:`.
    public static func segments(of plan: LabPlan) -> [SpannedSegment] {
        guard let span = plan.span else { return [] }
        return plan.networks.compactMap { network -> SpannedSegment? in
            let users = Set(plan.nodes.filter { node in node.networks.contains { $0.network == network.name } }.map(\.host))
            guard users.count > 1 else { return nil }
            let home = span.home.flatMap { users.contains($0) ? $0 : nil } ?? (users.contains("local") ? "local" : users.sorted()[0])
            let tag = String(hash("\(plan.name)/\(network.name)"), radix: 16)
            let padded = String(repeating: "0", count: 8 - tag.count) + tag
            let mtu = users.compactMap { span.hosts[$0]?.mtu }.min() ?? 1500
            // Both names pass the allow-list by construction: 2 letters and 8 hex digits.
            return SpannedSegment(network: network.name, home: home, hosts: [home] + users.subtracting([home]).sorted(),
                                  vni: vni(lab: plan.name, network: network.name), port: port(lab: plan.name),
                                  bridge: try! KernelLinkName("vs\(padded)"), vxlan: try! KernelLinkName("vx\(padded)"),
                                  guestMTU: mtu - LabSpan.overhead)
        }
    }

    /// A non-home host's libvirt network: bridge mode onto the segment's
    /// bridge, with no addresses of its own (the home host serves them).
    /// libvirt allows no `<mtu>` in bridge mode; it gives each guest's tap the
    /// bridge's MTU, which the VXLAN port (attached before any node) has lowered.
    func bridgeDefinition(name: String) throws(VMCtlError) -> NetworkDefinition {
        NetworkDefinition(name: try parsed { try ObjectName(name) }, forward: .bridge,
                          bridge: BridgeSettings(name: bridge.rawValue, stp: nil, delay: nil))
    }
}

/// What `lab up` does to the hosts' kernels for the spanned networks,
/// planned from what each host has now. Applied in two phases per host:
/// the bridges before the libvirt networks (a bridge-mode network needs its
/// bridge), the VXLAN ports after (the home host's bridge is libvirt's).
public struct SpanChangePlan: Sendable, Equatable {
    public enum Phase: Sendable, Equatable { case beforeNetworks, afterNetworks }

    public struct Step: Sendable, Equatable {
        public var host: String
        public var phase: Phase
        public var command: KernelCommand
    }

    public var segments: [SpannedSegment] = []
    public var channels: [String: HostChannel] = [:]
    public var steps: [Step] = []

    /// `host2: kernel: ip link add vs… type bridge (stand-in host2 (nsenter --net))`.
    func lines(host: String, phase: Phase) -> [String] {
        steps.filter { $0.host == host && $0.phase == phase }.map { step in
            "\(host): kernel: \(step.command.description) (through \(channels[host]?.description ?? "?"))"
        }
    }

    /// The links `lab up` makes on `host`, in the order made.
    func madeLinks(host: String) -> [KernelLinkName] {
        var names: [KernelLinkName] = []
        for step in steps where step.host == host {
            switch step.command {
            case .addBridge(let name), .addVXLAN(let name, _, _, _, _): names.append(name)
            default: break
            }
        }
        return names
    }
}

extension LabRunner {
    /// The segment `network` is part of, if it spans hosts.
    func spannedSegment(_ network: String) -> SpannedSegment? {
        SpannedSegment.segments(of: plan).first { $0.network == network }
    }

    /// Each spanned host reached over SSH is tried (`ip -d -j link show`)
    /// before anything is read from any host: a refused host key or login is
    /// one line naming the host and its known_hosts, where libvirt's
    /// connection over the same SSH would quote ssh's dozen-line banner.
    func checkSSHChannels() throws(VMCtlError) {
        guard let span = plan.span else { return }
        for host in Set(SpannedSegment.segments(of: plan).flatMap(\.hosts)).sorted() {
            guard let channel = span.hosts[host]?.channel, case .ssh = channel else { continue }
            _ = try channel.links(host: host)
        }
    }

    /// Plans the kernel's part of every spanned network, reading (never
    /// changing) each host's links through its channel. Problems are plan
    /// issues: a host without an underlay, an underlay device that is
    /// missing or lacks its address, a link of ours taken by something
    /// else, a VXLAN of someone else's on our VNI and port.
    func planSpan(issues: inout [PlanIssue]) throws(VMCtlError) -> SpanChangePlan {
        let segments = SpannedSegment.segments(of: plan)
        guard let span = plan.span, !segments.isEmpty else { return SpanChangePlan() }
        var result = SpanChangePlan(segments: segments)
        let issuesBefore = issues.count
        func issue(_ source: LabPlan.Source, _ field: String, _ rule: String) {
            issues.append(PlanIssue(file: plan.file, line: source.line, field: field, rule: rule))
        }
        let hosts = Set(segments.flatMap(\.hosts)).sorted()
        var links: [String: [KernelLink]] = [:]
        for host in hosts {
            guard let underlay = span.hosts[host] else {
                let networks = segments.filter { $0.hosts.contains(host) }.map(\.network).joined(separator: ", ")
                issue(span.source, "span.hosts.\(host)", "is required: networks \(networks) span \(host) (give its underlay address and device)")
                continue
            }
            result.channels[host] = underlay.channel
            let found = try underlay.channel.links(host: host)
            links[host] = found
            let field = "span.hosts.\(host)"
            guard let device = found.first(where: { $0.name == underlay.device.rawValue }) else {
                issue(underlay.source, "\(field).device", "\(host) has no link \(underlay.device)")
                continue
            }
            if !(try underlay.channel.addresses(host: host)[underlay.device.rawValue] ?? []).contains(underlay.address) {
                issue(underlay.source, "\(field).address", "\(underlay.address) is not an address of \(underlay.device) on \(host)")
            }
            if let mtu = device.mtu, mtu < underlay.mtu {
                issue(underlay.source, "\(field).mtu", "\(underlay.mtu) is more than \(underlay.device)'s MTU on \(host) (\(mtu))")
            }
        }
        guard issues.count == issuesBefore else { return result }

        for segment in segments {
            for host in segment.hosts {
                guard let underlay = span.hosts[host], let present = links[host] else { continue }
                let field = "networks.\(segment.network)"
                let source = plan.networks.first { $0.name == segment.network }?.source ?? LabPlan.Source()
                // Someone else's VXLAN on our VNI and port would take our traffic (the kernel refuses a second one).
                for other in present where other.kind == "vxlan" && other.name != segment.vxlan.rawValue
                    && other.vni == segment.vni && (other.port ?? 4789) == segment.port
                {
                    issue(source, field, "VXLAN \(segment.vni) on UDP port \(segment.port) is already used by \(other.name) on \(host)")
                }
                let bridge = present.first { $0.name == segment.bridge.rawValue }
                let vxlan = present.first { $0.name == segment.vxlan.rawValue }
                if let bridge, bridge.kind != "bridge" {
                    issue(source, field, "\(host) has a link \(segment.bridge) that is not a bridge: not ours, left alone")
                }
                if let vxlan, vxlan.kind != "vxlan" || vxlan.vni != segment.vni || vxlan.port != segment.port {
                    issue(source, field, "\(host) has a link \(segment.vxlan) that is not this lab's VXLAN \(segment.vni): not ours, left alone")
                }
                // The bridge: libvirt's own on the home host; made here on the others.
                if host != segment.home, bridge == nil {
                    result.steps.append(.init(host: host, phase: .beforeNetworks, command: .addBridge(segment.bridge)))
                }
                if host != segment.home, bridge?.up != true {
                    result.steps.append(.init(host: host, phase: .beforeNetworks, command: .setUp(segment.bridge)))
                }
                if vxlan == nil {
                    result.steps.append(.init(host: host, phase: .afterNetworks, command: .addVXLAN(
                        segment.vxlan, vni: segment.vni, port: segment.port, local: underlay.address, device: underlay.device)))
                }
                let flooding = vxlan == nil ? [] : try underlay.channel.floodTargets(of: segment.vxlan, host: host)
                for remote in segment.hosts where remote != host {
                    guard let address = span.hosts[remote]?.address, !flooding.contains(address) else { continue }
                    result.steps.append(.init(host: host, phase: .afterNetworks, command: .floodTo(segment.vxlan, remote: address)))
                }
                // The home host's bridge may be remade by libvirt when its network starts: attached whenever not now.
                if vxlan?.master != segment.bridge.rawValue || bridge == nil {
                    result.steps.append(.init(host: host, phase: .afterNetworks, command: .attach(segment.vxlan, bridge: segment.bridge)))
                }
                if vxlan?.up != true || bridge == nil {
                    result.steps.append(.init(host: host, phase: .afterNetworks, command: .setUp(segment.vxlan)))
                }
            }
        }
        return result
    }

    /// Applies one phase of the kernel plan on `host`. The links it makes
    /// are recorded (with the host's channel) before each is made, so
    /// `lab down` finds them after a kill at any point.
    func applySpan(_ span: SpanChangePlan, host: String, phase: SpanChangePlan.Phase) throws(VMCtlError) -> [String] {
        let steps = span.steps.filter { $0.host == host && $0.phase == phase }
        guard !steps.isEmpty, let channel = span.channels[host] else { return [] }
        var changes: [String] = []
        for step in steps {
            if case .addBridge(let name) = step.command { try recordLink(name, host: host, channel: channel) }
            if case .addVXLAN(let name, _, _, _, _) = step.command { try recordLink(name, host: host, channel: channel) }
            progress.step("\(host): \(step.command.description)")
            try channel.run(step.command, host: host)
            changes.append("\(host): kernel: \(step.command.description)")
        }
        return changes
    }

    private func recordLink(_ name: KernelLinkName, host: String, channel: HostChannel) throws(VMCtlError) {
        var state = LabState.load(lab: plan.name) ?? LabState()
        var made = state.kernelLinks ?? [:]
        var channels = state.channels ?? [:]
        if !(made[host] ?? []).contains(name) { made[host, default: []].append(name) }
        channels[host] = channel
        state.kernelLinks = made
        state.channels = channels
        try state.save(lab: plan.name)
    }
}

extension LabTeardown {
    /// Deletes the kernel links a lab recorded making (VXLAN ports and
    /// bridges), newest first, on every host; those already gone are passed
    /// over. Runs after the lab's libvirt networks are gone, so no network
    /// still uses a bridge it deletes.
    static func removeKernelLinks(_ state: LabState, progress: any ProgressReporter) throws(VMCtlError) -> [String] {
        var removed: [String] = []
        for (host, names) in (state.kernelLinks ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let channel = state.channels?[host] else { continue }
            let present = Set(try channel.links(host: host).map(\.name))
            for name in names.reversed() where present.contains(name.rawValue) {
                progress.step("\(host): ip link del \(name)")
                try channel.run(.delete(name), host: host)
                removed.append("\(host): kernel link \(name)")
            }
        }
        return removed
    }
}

extension PlanReader {
    /// The plan's `span:` block, checked: every host key is in `hosts`, each
    /// underlay has an IPv4 address and a device name, and the channel to
    /// each host's kernel is known (the URI's, or `stand_in:`).
    mutating func span(_ node: YAML.Node?, hosts: [String: String]) -> LabSpan? {
        guard let node, checkKeys(node, "span", allowed: ["home", "hosts"]) else { return nil }
        var span = LabSpan(home: nil, hosts: [:], source: .init(field: "span", line: line(node)))
        if let home = value(node, "home") {
            span.home = string(home, "span.home")
            if let given = span.home, hosts[given] == nil {
                issue(home, "span.home", "'\(given)' is not in hosts (\(hosts.keys.sorted().joined(separator: ", ")))")
            }
        }
        guard let hostsNode = value(node, "hosts") else {
            issue(node, "span.hosts", "is required: each host's underlay address and device")
            return nil
        }
        if case .mapping = hostsNode {} else { issue(hostsNode, "span.hosts", "must be a mapping of host key to its underlay") }
        for (key, keyNode, entry) in keys(hostsNode) {
            let field = "span.hosts.\(key)"
            guard hosts[key] != nil else {
                issue(keyNode, field, "'\(key)' is not in hosts (\(hosts.keys.sorted().joined(separator: ", ")))")
                continue
            }
            guard checkKeys(entry, field, allowed: ["address", "device", "mtu", "stand_in"]) else { continue }
            var address: IPAddress?
            if let text = string(value(entry, "address"), "\(field).address") {
                if let parsed = try? IPAddress(text), parsed.isIPv4 { address = parsed } else {
                    issue(value(entry, "address"), "\(field).address", "\"\(text.prefix(40))\" is not allowed: an IPv4 address")
                }
            } else if value(entry, "address") == nil {
                issue(entry, "\(field).address", "is required: the address this host's VXLAN ports use")
            }
            var device: KernelLinkName?
            if let text = string(value(entry, "device"), "\(field).device") {
                device = try? KernelLinkName(text)
                if device == nil { issue(value(entry, "device"), "\(field).device", "\"\(text.prefix(40))\" is not allowed: \(KernelLinkName.rule)") }
            } else if value(entry, "device") == nil {
                issue(entry, "\(field).device", "is required: the link the tunnel runs over")
            }
            let mtu = value(entry, "mtu") == nil ? 1500 : int(value(entry, "mtu"), "\(field).mtu", range: 1280...65535)
            var channel = HostChannel.implied(byURI: hosts[key])
            if let standIn = string(value(entry, "stand_in"), "\(field).stand_in") {
                if HostChannel.isValidStandIn(standIn) { channel = .standIn(name: standIn) } else {
                    issue(value(entry, "stand_in"), "\(field).stand_in", "\"\(standIn.prefix(40))\" is not allowed: \(HostChannel.standInRule)")
                }
            } else if channel == nil {
                issue(entry, field, "no channel to its kernel: its URI is neither local nor qemu+ssh://; give stand_in for a stand-in host")
            }
            guard let address, let device, let mtu, let channel else { continue }
            span.hosts[key] = .init(address: address, device: device, mtu: mtu, channel: channel, source: .init(field: field, line: line(entry)))
        }
        return span
    }
}

/// A libvirt network's lease table on another host than the guest's: where
/// readiness finds the address of a guest on a spanned network.
public struct NetworkLeaseSource: Sendable {
    public var connection: Connection
    public var network: String

    /// The IPv4 address leased to `mac`, if any (`virNetworkGetDHCPLeases`).
    func address(of mac: MACAddress) -> String? {
        let leases = (try? connection.network(named: network).dhcpLeases()) ?? []
        return leases.first { $0.family == .ipv4 && $0.mac.lowercased() == mac.description.lowercased() }?.ipAddress
    }
}

extension LabRunner {
    /// The home host's lease table for a node on a spanned network away from home.
    func leaseSource(_ network: String, node: LabPlan.Node) throws(VMCtlError) -> NetworkLeaseSource? {
        guard let segment = spannedSegment(network), segment.home != node.host else { return nil }
        return NetworkLeaseSource(connection: try connection(segment.home), network: plan.objectName(network))
    }
}

extension LabRunner {
    /// How `lab ssh` and `lab check` log in to node `name`: as `vm ssh` does,
    /// except for a node whose management NIC is on a spanned network away
    /// from the network's home host. Its own host has no lease for it (its
    /// network there is bridge mode, without dnsmasq) and no ARP entry, and
    /// the guest agent's first address is loopback's; so it is reached at
    /// its lease on the home host (virNetworkGetDHCPLeases there), or at its
    /// plan address where that network has no DHCP.
    public func sshCommand(toNode name: String, user: String?, privateKey: String?, wait: Double?) throws(VMCtlError) -> SSHCommand {
        let (connection, domain) = try domain(ofNode: name)
        if let wait, !(wait.isFinite && (0...VMAddressFinder.longestWait).contains(wait)) {
            throw .invalid(field: "--wait", "\(wait) is not allowed: 0 to \(Int(VMAddressFinder.longestWait)) seconds")
        }
        var address: String?
        if let node = plan.nodes.first(where: { $0.name == name }), let nic = node.networks.first,
            let segment = spannedSegment(nic.network), segment.home != node.host,
            let source = try leaseSource(nic.network, node: node)
        {
            let state = try? domain.state().state
            guard state == .running || state == .paused else {
                throw VMCtlError(VMAddressFinder(connection: connection).diagnose(domain, timeout: 0))
            }
            if plan.networks.first(where: { $0.name == nic.network })?.dhcp == false {
                address = nic.ip
            } else {
                let mac = Self.mac(lab: plan.name, node: name, nic: 0)
                let deadline = Date().addingTimeInterval(wait ?? 0)
                address = source.address(of: mac)
                while address == nil && Date() < deadline {
                    sleepThread(seconds: 0.5)
                    address = source.address(of: mac)
                }
                guard address != nil else {
                    throw VMCtlError(
                        "\(name): no lease for \(mac) on network \(source.network) of its home host \(segment.home)"
                            + (wait.map { " within \(Int($0)) s" } ?? "; or pass --wait SECONDS"))
                }
            }
        }
        return try GuestSSH(connection: connection).command(for: domain, user: user, privateKey: privateKey, wait: wait, address: address)
    }
}
