import FoundationEssentials
import HostCheck
import LibvirtXML
import Libvirt
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// What one node is expected to be, for the rules: from the lab's status and
/// the values `lab kolla-globals` writes.
public struct LabCheckNode: Sendable, Equatable {
    public var name: String
    public var roles: [String]
    /// Its management (API network) address, as `lab status` reports it.
    public var managementAddress: String?
    /// Every node's name and management address.
    public var lab: [String: String?]
    public var networkInterface: String
    /// neutron_external_interface, when this node has a NIC on the external network.
    public var externalInterface: String?
    /// nova_compute_virt_type.
    public var virtType: String

    public init(name: String, roles: [String], managementAddress: String?, lab: [String: String?], networkInterface: String,
                externalInterface: String?, virtType: String) {
        self.name = name
        self.roles = roles
        self.managementAddress = managementAddress
        self.lab = lab
        self.networkInterface = networkInterface
        self.externalInterface = externalInterface
        self.virtType = virtType
    }

    var isStorage: Bool { roles.contains("storage") }
    var isCompute: Bool { roles.contains("compute") }
}

/// What holds for the lab as a whole: the VIP and the router id.
public struct LabCheckLab: Sendable, Equatable {
    public var name: String
    public var vip: String
    /// The management network's CIDR and DHCP range (`START-END`).
    public var subnet: String?
    public var dhcpRange: String?
    public var routerID: Int?
    /// Other labs on this host and their router ids.
    public var otherRouterIDs: [String: Int]

    public init(name: String, vip: String, subnet: String?, dhcpRange: String?, routerID: Int?, otherRouterIDs: [String: Int]) {
        self.name = name
        self.vip = vip
        self.subnet = subnet
        self.dhcpRange = dhcpRange
        self.routerID = routerID
        self.otherRouterIDs = otherRouterIDs
    }
}

/// One failed rule: `NODE: RULE: what was found`.
public struct LabCheckFailure: Codable, Sendable, Equatable, CustomStringConvertible {
    /// A node's name, or the lab's for a rule of the whole lab.
    public var node: String
    public var rule: String
    public var found: String
    public var description: String { "\(node): \(rule): \(found)" }
}

/// `vmctl lab check`'s result (Docs/json-output.md).
public struct LabCheckReport: Codable, Sendable, Equatable {
    public var lab: String
    /// The nodes read, in plan order.
    public var nodes: [String]
    /// The rules checked, by id.
    public var rules: [String]
    public var failures: [LabCheckFailure]
    public var passed: Bool { failures.isEmpty }

    enum CodingKeys: String, CodingKey { case lab, nodes, rules, failures, passed }

    public init(lab: String, nodes: [String], rules: [String], failures: [LabCheckFailure]) {
        self.lab = lab
        self.nodes = nodes
        self.rules = rules
        self.failures = failures
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lab = try c.decode(String.self, forKey: .lab)
        nodes = try c.decode([String].self, forKey: .nodes)
        rules = try c.decode([String].self, forKey: .rules)
        failures = try c.decode([LabCheckFailure].self, forKey: .failures)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lab, forKey: .lab)
        try c.encode(nodes, forKey: .nodes)
        try c.encode(rules, forKey: .rules)
        try c.encode(failures, forKey: .failures)
        try c.encode(passed, forKey: .passed)
    }

    /// One line per failure, or one line saying every rule passed.
    public var text: String {
        failures.isEmpty
            ? "\(lab): all \(rules.count) rules pass on \(nodes.count) nodes (\(nodes.joined(separator: ", ")))"
            : failures.map(\.description).joined(separator: "\n")
    }
}

/// A rule kolla-ansible's prechecks (or bootstrap-servers) relies on, checked
/// on one node's ``GuestFacts``: nil when it holds, else what was found.
public struct LabCheckRule: Sendable {
    public var id: String
    /// What must hold, for Docs/labs.md and `--help`.
    public var rule: String
    var applies: @Sendable (LabCheckNode) -> Bool
    var check: @Sendable (GuestFacts, LabCheckNode) -> String?
}

/// A rule of the whole lab, checked on every node's facts at once.
public struct LabCheckLabRule: Sendable {
    public var id: String
    public var rule: String
    var check: @Sendable (LabCheckLab, [String: GuestFacts]) -> String?
}

/// The rules, as data; `lab check` applies each to every node it applies to.
public enum LabCheckRules {
    /// /var must have this much free for kolla's container images to be pulled (1 GiB).
    public static let minimumVarFreeKiB = 1 << 20

    public static let node: [LabCheckRule] = [
        LabCheckRule(
            id: "hostnames",
            rule: "every node's name resolves here to exactly its one address on the API network; no 127.0.1.1 line names this node",
            applies: { _ in true },
            check: { facts, node in
                var found: [String] = []
                for entry in facts.etcHosts where entry.address.hasPrefix("127.") && entry.address != "127.0.0.1"
                    && entry.names.contains(where: { $0 == node.name || $0 == facts.hostname || $0.hasPrefix(node.name + ".") })
                {
                    found.append("/etc/hosts has \"\(entry.address) \(entry.names.joined(separator: " "))\"")
                }
                for (name, address) in node.lab.sorted(by: { $0.key < $1.key }) {
                    let got = facts.resolved[name] ?? []
                    if got.isEmpty {
                        found.append("\(name) does not resolve")
                    } else if let address, got != [address] {
                        found.append("\(name) resolves to \(got.joined(separator: " ")), not only \(address)")
                    } else if address == nil, got.count != 1 {
                        found.append("\(name) resolves to \(got.count) addresses (\(got.joined(separator: " ")))")
                    }
                }
                return found.isEmpty ? nil : found.joined(separator: "; ")
            }),
        LabCheckRule(
            id: "ntp",
            rule: "an NTP daemon runs and the clock is synchronized",
            applies: { _ in true },
            check: { facts, _ in
                if facts.ntpDaemons.isEmpty { return "no NTP daemon runs (chronyd, ntpd, systemd-timesyncd, openntpd)" }
                if facts.clockSynchronized != true {
                    return "\(facts.ntpDaemons.joined(separator: ", ")) runs but the clock is not synchronized (\(facts.clockNote))"
                }
                return nil
            }),
        LabCheckRule(
            id: "sudo",
            rule: "the login user has passwordless sudo",
            applies: { _ in true },
            check: { facts, _ in facts.passwordlessSudo ? nil : "sudo -n true asks for a password or is refused" }),
        LabCheckRule(
            id: "network-interface",
            rule: "network_interface is up and carries the node's management address",
            applies: { _ in true },
            check: { facts, node in
                let name = node.networkInterface
                guard let up = facts.links[name] else { return "no interface \(name)" }
                if !up { return "\(name) is down" }
                let addresses = facts.addresses[name] ?? []
                if addresses.isEmpty { return "\(name) has no IPv4 address" }
                if let want = node.managementAddress, !addresses.contains(where: { $0.split(separator: "/").first.map(String.init) == want }) {
                    return "\(name) has \(addresses.joined(separator: " ")), not \(want)"
                }
                return nil
            }),
        LabCheckRule(
            id: "external-interface",
            rule: "neutron_external_interface is up with no IPv4 address and is not network_interface",
            applies: { $0.externalInterface != nil },
            check: { facts, node in
                guard let name = node.externalInterface else { return nil }
                if name == node.networkInterface { return "\(name) is also network_interface" }
                guard let up = facts.links[name] else { return "no interface \(name)" }
                if !up { return "\(name) is down" }
                if let addresses = facts.addresses[name], !addresses.isEmpty { return "\(name) has \(addresses.joined(separator: " "))" }
                return nil
            }),
        LabCheckRule(
            id: "cinder-volumes",
            rule: "storage nodes have the LVM volume group cinder-volumes",
            applies: { $0.isStorage },
            check: { facts, _ in
                guard let groups = facts.volumeGroups else { return "cannot list volume groups (sudo -n vgs failed)" }
                return groups.contains(KollaGlobals.cinderVolumeGroup)
                    ? nil : "no volume group \(KollaGlobals.cinderVolumeGroup) (have: \(groups.isEmpty ? "none" : groups.joined(separator: ", ")))"
            }),
        LabCheckRule(
            id: "libvirtd",
            rule: "no libvirtd runs inside compute nodes (kolla runs its own in a container)",
            applies: { $0.isCompute },
            check: { facts, _ in facts.hypervisorDaemons.isEmpty ? nil : "\(facts.hypervisorDaemons.joined(separator: ", ")) runs" }),
        LabCheckRule(
            id: "virt-type",
            rule: "nova_compute_virt_type kvm only where the guest's /dev/kvm opens; qemu anywhere",
            applies: { $0.isCompute },
            check: { facts, node in
                // qemu (TCG) needs nothing from the guest. A /dev/kvm that opens does not make
                // kvm the right choice: a TCG guest's qemu64 CPU has SVM, so kvm_amd loads and
                // /dev/kvm opens, but that KVM is emulated too; the host check decides (novaComputeVirtType).
                switch node.virtType {
                case "qemu": return nil
                case "kvm": return facts.hasKVM ? nil : "nova_compute_virt_type is kvm but the guest's /dev/kvm is missing or does not open"
                default: return "nova_compute_virt_type is \(node.virtType), neither kvm nor qemu"
                }
            }),
        LabCheckRule(
            id: "python3",
            rule: "python3 is installed (Ansible's modules run with it)",
            applies: { _ in true },
            check: { facts, _ in facts.python3 == nil ? "no python3 on PATH" : nil }),
        LabCheckRule(
            id: "var-space",
            rule: "/var has at least 1 GiB free for container images",
            applies: { _ in true },
            check: { facts, _ in
                guard let free = facts.varAvailableKiB else { return "df /var gave no answer" }
                return free >= minimumVarFreeKiB ? nil : "/var has \(free / 1024) MiB free"
            }),
        LabCheckRule(
            id: "swap",
            rule: "swap is on",
            applies: { _ in true },
            check: { facts, _ in facts.swapKiB > 0 ? nil : "no swap (/proc/swaps lists none)" }),
    ]

    public static let lab: [LabCheckLabRule] = [
        LabCheckLabRule(
            id: "vip",
            rule: "kolla_internal_vip_address lies in the API subnet, outside its DHCP range, and no node holds it",
            check: { lab, facts in
                var found: [String] = []
                if let vip = try? IPAddress(lab.vip) {
                    if let cidr = lab.subnet, let subnet = try? IPNetwork(cidr: cidr), !subnet.contains(vip) {
                        found.append("\(lab.vip) is outside \(cidr)")
                    }
                    if let range = lab.dhcpRange {
                        let ends = range.split(separator: "-").compactMap { try? IPAddress(String($0)) }
                        if ends.count == 2, ends[0] <= vip, vip <= ends[1] { found.append("\(lab.vip) is in the DHCP range \(range)") }
                    }
                } else {
                    found.append("\(lab.vip) is not an address")
                }
                for (name, node) in facts.sorted(by: { $0.key < $1.key }) {
                    for (device, addresses) in node.addresses.sorted(by: { $0.key < $1.key })
                    where addresses.contains(where: { $0.split(separator: "/").first.map(String.init) == lab.vip }) {
                        found.append("\(name) already holds \(lab.vip) on \(device)")
                    }
                }
                return found.isEmpty ? nil : found.joined(separator: "; ")
            }),
        LabCheckLabRule(
            id: "router-id",
            rule: "keepalived_virtual_router_id is unique among the labs on this host",
            check: { lab, _ in
                guard let id = lab.routerID else { return "no free keepalived_virtual_router_id (all 255 are taken)" }
                let sharing = lab.otherRouterIDs.filter { $0.value == id }.keys.sorted()
                return sharing.isEmpty ? nil : "keepalived_virtual_router_id \(id) is also lab \(sharing.joined(separator: ", "))'s"
            }),
    ]

    /// Applies every rule: node rules to each node's facts (a node whose
    /// facts could not be read fails one `ssh` line instead), then lab rules.
    public static func evaluate(lab: LabCheckLab, nodes: [LabCheckNode], facts: [String: Result<GuestFacts, VMCtlError>]) -> LabCheckReport {
        var failures: [LabCheckFailure] = []
        var read: [String: GuestFacts] = [:]
        for node in nodes {
            switch facts[node.name] {
            case .success(let nodeFacts)?:
                read[node.name] = nodeFacts
                for rule in Self.node where rule.applies(node) {
                    if let found = rule.check(nodeFacts, node) { failures.append(LabCheckFailure(node: node.name, rule: rule.id, found: found)) }
                }
            case .failure(let error)?:
                failures.append(LabCheckFailure(node: node.name, rule: "ssh", found: error.message))
            case nil:
                failures.append(LabCheckFailure(node: node.name, rule: "ssh", found: "not read"))
            }
        }
        for rule in Self.lab {
            if let found = rule.check(lab, read) { failures.append(LabCheckFailure(node: lab.name, rule: rule.id, found: found)) }
        }
        return LabCheckReport(lab: lab.name, nodes: nodes.map(\.name), rules: Self.node.map(\.id) + Self.lab.map(\.id), failures: failures)
    }
}

/// `vmctl lab check PLAN`: reads every node's facts over SSH (one script,
/// one connection per node, all nodes at once) and applies ``LabCheckRules``.
/// It only reads; it never changes a guest.
public struct LabChecker: Sendable {
    public var runner: LabRunner
    /// Seconds for each node's SSH call.
    public var timeout: Double = 120

    public init(runner: LabRunner) { self.runner = runner }

    /// The expectations for each node and the lab, from `status` and kolla-globals' values.
    public static func expectations(_ status: LabStatus, routerID: Int?, otherRouterIDs: [String: Int]) throws(VMCtlError) -> (LabCheckLab, [LabCheckNode]) {
        let globals = try KollaGlobals.render(status)
        let values = KollaGlobals.values(of: globals.yaml)
        guard let networkInterface = values["network_interface"] else { throw VMCtlError("kolla-globals wrote no network_interface") }
        let external = values["neutron_external_interface"]
        let management = status.nodes.flatMap(\.interfaces).first { $0.device == networkInterface }?.network
        let network = status.networks.first { $0.name == management }
        let externalNetwork = status.nodes.flatMap(\.interfaces).first { $0.device == external && $0.network != management }?.network
        var addresses: [String: String?] = [:]
        for node in status.nodes { addresses[node.name] = node.interfaces.first { $0.network == management }?.address }
        let nodes = status.nodes.map { node in
            LabCheckNode(
                name: node.name, roles: node.roles, managementAddress: node.interfaces.first { $0.network == management }?.address,
                lab: addresses, networkInterface: networkInterface,
                externalInterface: node.interfaces.contains { $0.network == externalNetwork } ? external : nil,
                virtType: status.novaComputeVirtType)
        }
        let lab = LabCheckLab(name: status.lab, vip: globals.vip, subnet: network?.subnet, dhcpRange: network?.dhcpRange,
                              routerID: routerID, otherRouterIDs: otherRouterIDs)
        return (lab, nodes)
    }

    public func check() throws(VMCtlError) -> LabCheckReport {
        let status = try runner.status()
        let (lab, nodes) = try Self.expectations(status, routerID: RouterID.current(lab: status.lab),
                                                otherRouterIDs: RouterID.recorded(excluding: status.lab))
        let script = GuestFacts.script(nodeNames: status.nodes.map(\.name))
        let results = LockedArray<(String, Result<GuestFacts, VMCtlError>)>()
        forEachConcurrently(nodes.map(\.name), workers: max(1, nodes.count)) { [self] name in
            results.append((name, readFacts(node: name, script: script)))
        }
        return LabCheckRules.evaluate(lab: lab, nodes: nodes, facts: Dictionary(results.values, uniquingKeysWith: { a, _ in a }))
    }

    /// One SSH call: the script in the node, as `lab ssh` logs in.
    func readFacts(node: String, script: String) -> Result<GuestFacts, VMCtlError> {
        do throws(VMCtlError) {
            let ssh = try runner.sshCommand(toNode: node, user: runner.plan.login.user, privateKey: runner.plan.login.privateKey, wait: nil)
            let run: ChildProcess.Result
            do {
                run = try ChildProcess.run(ssh.executable, ssh.arguments(remote: ["sh", "-c", script]), timeout: timeout)
            } catch {
                return .failure(VMCtlError("cannot run \(ssh.executable): \(error)"))
            }
            if run.timedOut { return .failure(VMCtlError("no answer within \(Int(timeout)) s")) }
            guard let facts = GuestFacts.parse(run.output) else {
                let why = run.errors.trimmingWhitespace().split(separator: "\n").last.map(String.init) ?? "exit status \(run.status)"
                return .failure(VMCtlError("the check script did not finish: \(why)"))
            }
            return .success(facts)
        } catch {
            return .failure(error)
        }
    }
}

extension KollaGlobals {
    /// The `key: "value"` lines of what ``render(_:managementNetwork:externalNetwork:routerID:)`` wrote.
    static func values(of yaml: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in yaml.split(separator: "\n") where !line.hasPrefix("#") {
            guard let colon = line.firstRange(of: ": \"") else { continue }
            values[String(line[..<colon.lowerBound])] = String(line[colon.upperBound...].dropLast(line.hasSuffix("\"") ? 1 : 0))
        }
        return values
    }
}
