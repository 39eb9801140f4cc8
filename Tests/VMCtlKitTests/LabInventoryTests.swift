import Foundation
import TestSupport
import Testing
import Yams
@testable import VMCtlKit

/// The package root, found from this file's path.
private let labPackageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func labFixtureURL(_ path: String) -> URL { labPackageRoot.appendingPathComponent("Fixtures/\(path)") }

private func labFixture(_ path: String) throws -> String { try String(contentsOf: labFixtureURL(path), encoding: .utf8) }

/// Compares `text` with the golden file at `path`; VMCTL_REGENERATE_GOLDEN=1 rewrites it first.
private func expectLabGolden(_ text: String, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    if ProcessInfo.processInfo.environment["VMCTL_REGENERATE_GOLDEN"] == "1" {
        try text.write(to: labFixtureURL(path), atomically: true, encoding: .utf8)
    }
    #expect(text == (try labFixture(path)), "differs from Fixtures/\(path)", sourceLocation: sourceLocation)
}

/// An OpenStack-like lab: a NAT management network with DHCP .100-.199 and an
/// isolated provider network; static management addresses below the DHCP range.
enum OpenStackLab {
    static func node(_ name: String, _ roles: [String], _ host: Int, provider: Bool = true) -> LabNodeStatus {
        var interfaces = [
            LabInterfaceStatus(network: "mgmt", device: "eth0", mac: String(format: "52:54:00:00:01:%02x", host), address: "192.168.121.\(host)")
        ]
        if provider {
            interfaces.append(LabInterfaceStatus(network: "provider", device: "eth1", mac: String(format: "52:54:00:00:02:%02x", host), address: nil))
        }
        return LabNodeStatus(name: name, roles: roles, host: "local", uri: "qemu:///system", state: "running", interfaces: interfaces,
                             volumeGroups: roles.contains("storage") ? ["cinder-volumes"] : [])
    }

    /// What every host line carries after its address: the login, and strict
    /// host key checking against the lab's known_hosts under the node's domain name.
    static func connection(_ node: String) -> String {
        " ansible_user=debian ansible_python_interpreter=/usr/bin/python3"
            + " ansible_ssh_common_args='-o StrictHostKeyChecking=yes -o UserKnownHostsFile=\(KnownHost.labFile("openstack"))"
            + " -o HostKeyAlias=openstack-\(node)'"
    }

    static let mgmt = LabNetworkStatus(
        name: "mgmt", mode: "nat", subnet: "192.168.121.0/24", dhcpRange: "192.168.121.100-192.168.121.199", active: true)
    static let provider = LabNetworkStatus(name: "provider", mode: "isolated", subnet: "203.0.113.0/24", dhcpRange: nil, active: true)

    static let status = LabStatus(
        lab: "openstack",
        nodes: [
            node("controller", ["controller", "openstack-client"], 10),
            node("compute1", ["compute"], 11),
            node("compute2", ["compute"], 12),
            node("network", ["network"], 13),
            node("storage", ["storage"], 14, provider: false),
        ],
        networks: [mgmt, provider],
        novaComputeVirtType: "qemu")

    /// The host names and addresses each group must hold.
    static let ansibleGroups: [String: [String: String]] = [
        "controller": ["controller": "192.168.121.10"],
        "openstack_client": ["controller": "192.168.121.10"],
        "compute": ["compute1": "192.168.121.11", "compute2": "192.168.121.12"],
        "network": ["network": "192.168.121.13"],
        "storage": ["storage": "192.168.121.14"],
    ]

    static let kollaGroups: [String: [String: String]] = [
        "control": ["controller": "192.168.121.10"],
        "network": ["network": "192.168.121.13"],
        "compute": ["compute1": "192.168.121.11", "compute2": "192.168.121.12"],
        "monitoring": ["controller": "192.168.121.10"],
        "storage": ["storage": "192.168.121.14"],
        "deployment": ["localhost": ""],
    ]
}

/// What `ansible-inventory -i FILE --list` says about an inventory.
struct ParsedInventory {
    var json: [String: Any]

    /// The hosts listed directly in `group`.
    func hosts(_ group: String) -> [String] {
        ((json[group] as? [String: Any])?["hosts"] as? [String]) ?? []
    }

    func children(_ group: String) -> [String] {
        ((json[group] as? [String: Any])?["children"] as? [String]) ?? []
    }

    func hostvars(_ host: String) -> [String: Any] {
        (((json["_meta"] as? [String: Any])?["hostvars"] as? [String: Any])?[host] as? [String: Any]) ?? [:]
    }

    /// Group name → host → ansible_host ("" when unset), for `groups`.
    func membership(_ groups: some Sequence<String>) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for group in groups {
            var members: [String: String] = [:]
            for host in hosts(group) { members[host] = hostvars(host)["ansible_host"] as? String ?? "" }
            out[group] = members
        }
        return out
    }
}

/// Runs ansible-inventory (ansible-core) on `text`, with the INI plugin only and
/// unparsed inventories failing, and returns its JSON. Fails when it is missing.
func ansibleInventoryList(_ text: String) throws -> ParsedInventory {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .map { "\($0)/ansible-inventory" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let path else {
        Issue.record("ansible-inventory not found: install ansible-core (apt-get install ansible-core)")
        throw CancellationError()
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-inv-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("inventory")
    try text.write(to: file, atomically: true, encoding: .utf8)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = ["-i", file.path, "--list"]
    var environment = ProcessInfo.processInfo.environment
    environment["ANSIBLE_INVENTORY_ENABLED"] = "ini"
    environment["ANSIBLE_INVENTORY_UNPARSED_FAILED"] = "True"
    environment["ANSIBLE_LOCAL_TEMP"] = dir.appendingPathComponent("tmp").path
    environment["ANSIBLE_HOME"] = dir.appendingPathComponent("home").path
    environment["ANSIBLE_NOCOLOR"] = "1"
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let (data, errorData) = readOutput(of: process, stdout: out, stderr: err)
    let errors = String(decoding: errorData, as: UTF8.self)
    try #require(process.terminationStatus == 0, "ansible-inventory failed: \(errors)")
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return ParsedInventory(json: json)
}

/// The lines of an INI inventory that are not host lines of the six kolla top groups,
/// found independently of the code under test.
func linesOutsideKollaHosts(_ text: String) -> [String] {
    var inTop = false
    var kept: [String] = []
    for line in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map({ String($0) }) {
        let t = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.hasPrefix("[") {
            inTop = ["[control]", "[network]", "[compute]", "[monitoring]", "[storage]", "[deployment]"].contains(t)
            kept.append(String(line))
        } else if inTop && !t.isEmpty && !t.hasPrefix("#") && !t.hasPrefix(";") {
            continue
        } else {
            kept.append(String(line))
        }
    }
    return kept
}

@Suite("LabInventory: Ansible and kolla inventories")
struct LabInventoryTests {
    // MARK: Ansible

    @Test("Ansible inventory matches its golden file")
    func ansibleGolden() throws {
        try expectLabGolden(try AnsibleInventory.render(OpenStackLab.status), "lab/openstack.ansible.ini")
    }

    @Test("ansible-inventory reads the Ansible inventory: one group per role, right hosts and ansible_host")
    func ansibleParses() throws {
        let parsed = try ansibleInventoryList(try AnsibleInventory.render(OpenStackLab.status))
        #expect(parsed.membership(OpenStackLab.ansibleGroups.keys) == OpenStackLab.ansibleGroups)
        #expect(Set(parsed.children("all")) == Set(OpenStackLab.ansibleGroups.keys).union(["ungrouped"]))
    }

    @Test("Role names become valid Ansible group names")
    func groupNames() {
        #expect(AnsibleInventory.groupName(forRole: "openstack-client") == "openstack_client")
        #expect(AnsibleInventory.groupName(forRole: "compute") == "compute")
        #expect(AnsibleInventory.groupName(forRole: "2nd.tier") == "_2nd_tier")
    }

    @Test("Nodes without roles are ungrouped; hosts keep plan order; a role named all is refused")
    func ungroupedAndImplicit() throws {
        var status = OpenStackLab.status
        status.nodes.append(OpenStackLab.node("bastion", [], 20, provider: false))
        let text = try AnsibleInventory.render(status)
        #expect(text.contains("vmctl.\nbastion ansible_host=192.168.121.20\(OpenStackLab.connection("bastion"))\n\n["))
        let parsed = try ansibleInventoryList(text)
        #expect(parsed.hosts("ungrouped") == ["bastion"])
        #expect(parsed.hosts("compute") == ["compute1", "compute2"])

        status.nodes[0].roles = ["all"]
        #expect(throws: VMCtlError.self) { try AnsibleInventory.render(status) }
        do {
            _ = try AnsibleInventory.render(status)
        } catch {
            #expect(error.message == "nodes.controller.roles: role all is the name of an implicit Ansible group; choose another role name")
            #expect(error.status == .usage)
        }
    }

    @Test("A node without an address is a one-line error naming the node, in both formats")
    func missingAddress() {
        var status = OpenStackLab.status
        status.nodes[2].interfaces[0].address = nil
        for format in ["ansible", "kolla"] {
            do {
                _ = format == "ansible" ? try AnsibleInventory.render(status) : try KollaInventory.render(status)
                Issue.record("expected an error")
            } catch {
                #expect(error.message.hasPrefix("nodes.compute2.address: "))
                #expect(!error.message.contains("\n"))
            }
        }
    }

    // MARK: kolla, standalone

    @Test("kolla inventory matches its golden file")
    func kollaGolden() throws {
        try expectLabGolden(try KollaInventory.render(OpenStackLab.status), "lab/openstack.kolla.ini")
    }

    @Test("ansible-inventory reads the kolla inventory: six groups, right hosts, become and local deployment")
    func kollaParses() throws {
        let parsed = try ansibleInventoryList(try KollaInventory.render(OpenStackLab.status))
        #expect(parsed.membership(KollaInventory.groups) == OpenStackLab.kollaGroups)
        for host in ["controller", "compute1", "compute2", "network", "storage"] {
            #expect(parsed.hostvars(host)["ansible_become"] as? Bool == true || parsed.hostvars(host)["ansible_become"] as? String == "true")
        }
        #expect(parsed.hostvars("localhost")["ansible_connection"] as? String == "local")
    }

    @Test("Role table: controller and control fill [control]; other roles are ignored")
    func kollaRoleTable() {
        #expect(KollaInventory.group(forRole: "controller") == "control")
        #expect(KollaInventory.group(forRole: "control") == "control")
        for group in KollaInventory.groups { #expect(KollaInventory.group(forRole: group) == group) }
        #expect(KollaInventory.group(forRole: "openstack-client") == nil)
    }

    @Test("Without network or monitoring nodes the control nodes fill those groups; a deployment node replaces localhost")
    func kollaFallbacks() throws {
        var status = OpenStackLab.status
        status.nodes.removeAll { $0.name == "network" }
        status.nodes.append(OpenStackLab.node("deploy", ["deployment"], 15, provider: false))
        status.nodes.append(OpenStackLab.node("mon", ["monitoring"], 16, provider: false))
        let members = try KollaInventory.hostLines(status)
        #expect(members["network"] == ["controller ansible_host=192.168.121.10 ansible_become=true" + OpenStackLab.connection("controller")])
        #expect(members["monitoring"] == ["mon ansible_host=192.168.121.16 ansible_become=true" + OpenStackLab.connection("mon")])
        #expect(members["deployment"] == ["deploy ansible_host=192.168.121.15 ansible_become=true" + OpenStackLab.connection("deploy")])
        let parsed = try ansibleInventoryList(try KollaInventory.render(status))
        #expect(parsed.hosts("network") == ["controller"])
        #expect(parsed.hosts("deployment") == ["deploy"])
    }

    // MARK: kolla, multinode edit

    @Test("Editing kolla's multinode file matches its golden file")
    func multinodeGolden() throws {
        let edited = try KollaInventory.edit(multinode: try labFixture("kolla/multinode"), status: OpenStackLab.status)
        try expectLabGolden(edited, "lab/openstack.multinode")
    }

    @Test("The multinode edit keeps every line but the top groups' hosts identical, in order")
    func multinodeKeepsLines() throws {
        let original = try labFixture("kolla/multinode")
        let edited = try KollaInventory.edit(multinode: original, status: OpenStackLab.status)
        #expect(linesOutsideKollaHosts(edited) == linesOutsideKollaHosts(original))
        // Comments inside [control] stay where they were, hosts go where the old ones were.
        #expect(edited.contains(
            "[control]\n# These hostname must be resolvable from your deployment host\ncontroller ansible_host=192.168.121.10 ansible_become=true\(OpenStackLab.connection("controller"))\n\n# The above"))
        #expect(edited.hasSuffix("\n"))
        // Editing again changes nothing.
        #expect(try KollaInventory.edit(multinode: edited, status: OpenStackLab.status) == edited)
    }

    @Test("ansible-inventory reads the edited multinode file: top groups replaced, service groups intact")
    func multinodeParses() throws {
        let edited = try KollaInventory.edit(multinode: try labFixture("kolla/multinode"), status: OpenStackLab.status)
        let parsed = try ansibleInventoryList(edited)
        #expect(parsed.membership(KollaInventory.groups) == OpenStackLab.kollaGroups)
        #expect(Set(parsed.children("baremetal")) == ["control", "network", "compute", "storage", "monitoring"])
        #expect(parsed.children("neutron-l3-agent") == ["neutron"])
        #expect(parsed.children("nova") == ["control"])
        let original = try ansibleInventoryList(try labFixture("kolla/multinode"))
        let groupNames = { (p: ParsedInventory) in Set(p.json.keys) }
        #expect(groupNames(parsed) == groupNames(original))
        let allHosts = Set(parsed.json.keys.flatMap { parsed.hosts($0) })
        #expect(allHosts == ["controller", "compute1", "compute2", "network", "storage", "localhost"])
    }

    @Test("Edit keeps CRLF line endings, fills a group that appears twice once, appends missing groups")
    func multinodeOddFiles() throws {
        let crlf = "# top\r\n[control]\r\nold1\r\n\r\n[compute:vars]\r\nfoo=1\r\n[compute]\r\nold2\r\n[control]\r\nold3\r\n"
        let edited = try KollaInventory.edit(multinode: crlf, status: OpenStackLab.status)
        #expect(edited.hasPrefix(
            "# top\r\n[control]\r\ncontroller ansible_host=192.168.121.10 ansible_become=true\(OpenStackLab.connection("controller"))\r\n\r\n[compute:vars]\r\nfoo=1\r\n[compute]\r\ncompute1 "))
        #expect(edited.contains("[control]\r\n\n[network]\nnetwork ansible_host=192.168.121.13 ansible_become=true\(OpenStackLab.connection("network"))\n\n[monitoring]\ncontroller "))
        #expect(!edited.contains("old"))
        let parsed = try ansibleInventoryList(edited)
        #expect(parsed.membership(KollaInventory.groups) == OpenStackLab.kollaGroups)

        // A header without hosts: ours go after the comments directly under it.
        let bare = "[storage]\n# storage nodes\n\n[other]\nx\n"
        let out = try KollaInventory.edit(multinode: bare, status: OpenStackLab.status)
        #expect(out.hasPrefix("[storage]\n# storage nodes\nstorage ansible_host=192.168.121.14 ansible_become=true\(OpenStackLab.connection("storage"))\n\n[other]\nx\n\n[control]\n"))
    }

    // MARK: kolla globals

    @Test("globals.yml overrides match their golden file and the VIP is the highest free address")
    func globalsGolden() throws {
        let (yaml, vip) = try KollaGlobals.render(OpenStackLab.status)
        try expectLabGolden(yaml, "lab/openstack.globals.yml")
        #expect(vip == "192.168.121.254")
    }

    @Test("globals.yml read back with Yams gives the lab's values")
    func globalsReparse() throws {
        var status = OpenStackLab.status
        status.novaComputeVirtType = "kvm"
        let (yaml, vip) = try KollaGlobals.render(status)
        let values = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        #expect(values.count == 6)
        #expect(values["network_interface"] as? String == "eth0")
        #expect(values["neutron_external_interface"] as? String == "eth1")
        #expect(values["kolla_internal_vip_address"] as? String == vip)
        #expect(values["nova_compute_virt_type"] as? String == "kvm")
        #expect(values["enable_cinder"] as? String == "yes")
        #expect(values["enable_cinder_backend_lvm"] as? String == "yes")

        // A storage node without the cinder-volumes VG: no LVM backend, and a comment saying how to get one.
        var noVG = status
        noVG.nodes[4].volumeGroups = []
        let withoutVG = try KollaGlobals.render(noVG).yaml
        #expect(withoutVG.contains("# cinder's LVM backend is left off: storage will have no cinder-volumes"), "\(withoutVG)")
        let parsedWithoutVG = try #require(try Yams.load(yaml: withoutVG) as? [String: Any])
        #expect(parsedWithoutVG["enable_cinder_backend_lvm"] == nil && parsedWithoutVG.count == 4)

        status.nodes.removeAll { $0.roles.contains("storage") }
        let noStorage = try #require(try Yams.load(yaml: try KollaGlobals.render(status).yaml) as? [String: Any])
        #expect(noStorage["enable_cinder"] == nil && noStorage["enable_cinder_backend_lvm"] == nil)
        #expect(noStorage.count == 4)
    }

    @Test("Every host line names the login user, the plan's key, Python 3 and strict host key checking against the lab's file")
    func inventoryLogin() throws {
        var status = OpenStackLab.status
        status.login = LabLogin(user: "ubuntu", privateKey: "/root/.ssh/lab_ed25519")
        for text in [try AnsibleInventory.render(status), try KollaInventory.render(status)] {
            let parsed = try ansibleInventoryList(text)
            let vars = parsed.hostvars("compute1")
            #expect(vars["ansible_user"] as? String == "ubuntu")
            #expect(vars["ansible_ssh_private_key_file"] as? String == "/root/.ssh/lab_ed25519")
            #expect(vars["ansible_python_interpreter"] as? String == "/usr/bin/python3")
            #expect(vars["ansible_ssh_common_args"] as? String
                == "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=\(KnownHost.labFile("openstack")) -o HostKeyAlias=openstack-compute1")
        }
    }

    @Test("Named networks and other device names; the external NIC comes from the network node")
    func globalsNetworks() throws {
        var status = OpenStackLab.status
        for i in status.nodes.indices {
            status.nodes[i].interfaces = status.nodes[i].interfaces.map {
                var nic = $0
                nic.device = nic.network == "mgmt" ? "ens3" : "ens4"
                return nic
            }
        }
        let values = try #require(try Yams.load(yaml: try KollaGlobals.render(
            status, managementNetwork: "mgmt", externalNetwork: "provider").yaml) as? [String: Any])
        #expect(values["network_interface"] as? String == "ens3")
        #expect(values["neutron_external_interface"] as? String == "ens4")

        #expect(throws: VMCtlError.self) { try KollaGlobals.render(status, externalNetwork: "mgmt") }
        #expect(throws: VMCtlError.self) { try KollaGlobals.render(status, managementNetwork: "nope") }

        status.nodes[1].interfaces[0].device = "eth0"
        do {
            _ = try KollaGlobals.render(status)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "nodes.compute1.interfaces: its NIC on mgmt is eth0 but network_interface is ens3 (from controller); name it the same on every node")
        }
    }

    @Test("A lab whose nodes have one NIC is a one-line error naming the node")
    func globalsNoSecondNIC() {
        var status = OpenStackLab.status
        status.nodes = status.nodes.map { var n = $0; n.interfaces = [n.interfaces[0]]; return n }
        do {
            _ = try KollaGlobals.render(status)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "nodes.network.interfaces: node needs a second NIC for neutron_external_interface (the provider network)")
            #expect(error.status == .usage)
        }
    }

    // MARK: VIP

    @Test("VIP: skips used addresses, the DHCP range and the gateway; deterministic")
    func vipChoice() throws {
        let mgmt = OpenStackLab.mgmt
        #expect(try KollaGlobals.chooseVIP(network: mgmt, used: []) == "192.168.121.254")
        #expect(try KollaGlobals.chooseVIP(network: mgmt, used: ["192.168.121.254", "192.168.121.253", "bogus"]) == "192.168.121.252")
        // DHCP to the top of the subnet: the VIP falls just below the range.
        var high = mgmt
        high.dhcpRange = "192.168.121.128-192.168.121.254"
        #expect(try KollaGlobals.chooseVIP(network: high, used: ["192.168.121.127"]) == "192.168.121.126")
        // A /30 has two usable addresses: the gateway .1 and .2.
        let tiny = LabNetworkStatus(name: "tiny", mode: "nat", subnet: "10.0.0.0/30", dhcpRange: nil, active: true)
        #expect(try KollaGlobals.chooseVIP(network: tiny, used: []) == "10.0.0.2")
        // The CIDR names the host side (libvirt's gateway address): it is never the VIP.
        let hostSide = LabNetworkStatus(name: "h", mode: "nat", subnet: "10.0.0.254/24", dhcpRange: "10.0.0.100-10.0.0.200", active: true)
        #expect(try KollaGlobals.chooseVIP(network: hostSide, used: []) == "10.0.0.253")
    }

    @Test("VIP: a DHCP range covering every address is a one-line error naming the field")
    func vipExhausted() {
        var full = OpenStackLab.mgmt
        full.dhcpRange = "192.168.121.2-192.168.121.254"
        do {
            _ = try KollaGlobals.chooseVIP(network: full, used: [])
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "networks.mgmt.dhcpRange: no free address in 192.168.121.0/24 for kolla_internal_vip_address outside the DHCP range 192.168.121.2-192.168.121.254, the gateway and the nodes' addresses; shrink the DHCP range")
            #expect(error.status == .usage)
        }
        let tiny = LabNetworkStatus(name: "tiny", mode: "nat", subnet: "10.0.0.0/30", dhcpRange: nil, active: true)
        #expect(throws: VMCtlError.self) { try KollaGlobals.chooseVIP(network: tiny, used: ["10.0.0.2"]) }
        let bridge = LabNetworkStatus(name: "br", mode: "bridge", subnet: nil, dhcpRange: nil, active: true)
        do {
            _ = try KollaGlobals.chooseVIP(network: bridge, used: [])
        } catch {
            #expect(error.message.hasPrefix("networks.br.subnet: "))
        }
        var broken = OpenStackLab.mgmt
        broken.dhcpRange = "192.168.121.100"
        do {
            _ = try KollaGlobals.chooseVIP(network: broken, used: [])
        } catch {
            #expect(error.message == "networks.mgmt.dhcpRange: 192.168.121.100 is not START-END")
        }
    }
}
