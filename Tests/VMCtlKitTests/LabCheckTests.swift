import Foundation
import NoCloud
import Testing
import Yams
@testable import VMCtlKit

/// `lab check`'s parsers on the output of its script as a Debian 12 guest
/// prints it, and its rules on facts broken one at a time.
@Suite struct LabCheckTests {
    /// What the script printed on the storage node of the real-guest lab.
    static let storageOutput = """
        @@hostname
        storage
        @@hosts
        127.0.0.1 localhost
        ::1 localhost ip6-localhost ip6-loopback
        ff02::1 ip6-allnodes
        # a comment
        192.168.50.10 controller
        192.168.50.14 storage
        @@resolve
        controller 192.168.50.10 
        compute 192.168.50.135 
        storage 192.168.50.14 
        @@ntp-daemons
        chronyd
        @@chrony-tracking
        Reference ID    : C0A83201 (192.168.50.1)
        Stratum         : 11
        Leap status     : Normal
        @@timedatectl
        NTPSynchronized=yes
        @@sudo
        yes
        @@links
        1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
        2: ens3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:0a:0b:0c brd ff:ff:ff:ff:ff:ff
        3: ens4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:0a:0b:0d brd ff:ff:ff:ff:ff:ff
        @@addresses
        1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
        2: ens3    inet 192.168.50.14/24 brd 192.168.50.255 scope global ens3\\       valid_lft forever preferred_lft forever
        @@volume-groups
          cinder-volumes
        @@hypervisor-daemons
        @@kvm
        no
        @@python3
        /usr/bin/python3
        @@var
        Filesystem     1024-blocks    Used Available Capacity Mounted on
        /dev/vda1          4044512 1325916   2493284      35% /
        @@swap
        Filename				Type		Size		Used		Priority
        /swap.img                               file		524284		0		-2
        @@end

        """

    static let labAddresses: [String: String?] = ["controller": "192.168.50.10", "compute": "192.168.50.135", "storage": "192.168.50.14"]

    static func node(_ name: String, roles: [String]) -> LabCheckNode {
        LabCheckNode(name: name, roles: roles, managementAddress: labAddresses[name] ?? nil, lab: labAddresses,
                     networkInterface: "ens3", externalInterface: "ens4", virtType: "qemu")
    }

    static let storage = node("storage", roles: ["storage"])
    static let lab = LabCheckLab(name: "lab1", vip: "192.168.50.249", subnet: "192.168.50.0/24", dhcpRange: "192.168.50.128-192.168.50.240",
                                 routerID: 17, otherRouterIDs: ["lab2": 18])

    static func facts(_ edit: (inout GuestFacts) -> Void = { _ in }) throws -> GuestFacts {
        var facts = try #require(GuestFacts.parse(storageOutput))
        edit(&facts)
        return facts
    }

    /// The rule ids that fail for the storage node with `edit` applied to its facts, and for the lab.
    static func failing(_ edit: (inout GuestFacts) -> Void = { _ in }, node: LabCheckNode = storage, lab: LabCheckLab = lab) throws -> [String] {
        LabCheckRules.evaluate(lab: lab, nodes: [node], facts: [node.name: .success(try facts(edit))]).failures.map(\.rule)
    }

    @Test func parsesEverySection() throws {
        let facts = try Self.facts()
        #expect(facts.hostname == "storage")
        #expect(facts.etcHosts.count == 5)
        #expect(facts.etcHosts.last?.address == "192.168.50.14" && facts.etcHosts.last?.names == ["storage"])
        #expect(facts.resolved == ["controller": ["192.168.50.10"], "compute": ["192.168.50.135"], "storage": ["192.168.50.14"]])
        #expect(facts.ntpDaemons == ["chronyd"])
        #expect(facts.clockSynchronized == true)
        #expect(facts.passwordlessSudo)
        #expect(facts.links == ["lo": true, "ens3": true, "ens4": true])
        #expect(facts.addresses == ["lo": ["127.0.0.1/8"], "ens3": ["192.168.50.14/24"]])
        #expect(facts.volumeGroups == ["cinder-volumes"])
        #expect(facts.hypervisorDaemons.isEmpty)
        #expect(!facts.hasKVM)
        #expect(facts.python3 == "/usr/bin/python3")
        #expect(facts.varAvailableKiB == 2_493_284)
        #expect(facts.swapKiB == 524_284)
    }

    @Test func outputCutShortIsNoFacts() {
        #expect(GuestFacts.parse(String(Self.storageOutput.prefix(300))) == nil)
        #expect(GuestFacts.parse("") == nil)
    }

    @Test func smallParsers() {
        #expect(GuestFacts.parseLinks(["4: eth1@if5: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT"]) == ["eth1": false])
        #expect(GuestFacts.parseLinks(["3: ens4: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 state DOWN"]) == ["ens4": false])
        #expect(GuestFacts.parseClock(chrony: ["Leap status     : Not synchronised"], timedatectl: []).0 == false)
        let kernel = GuestFacts.parseClock(chrony: ["Leap status     : Normal"], timedatectl: ["NTPSynchronized=no"])
        #expect(kernel.0 == false && kernel.1 == "timedatectl NTPSynchronized=no, chrony leap status Normal", "kolla reads timedatectl")
        #expect(GuestFacts.parseClock(chrony: ["506 Cannot talk to daemon"], timedatectl: ["NTPSynchronized=yes"]).0 == true)
        let none = GuestFacts.parseClock(chrony: ["506 Cannot talk to daemon"], timedatectl: [])
        #expect(none.0 == nil && none.1 == "chronyc: 506 Cannot talk to daemon")
        #expect(GuestFacts.parseSwaps(["Filename Type Size Used Priority"]) == 0)
        #expect(GuestFacts.parseDFAvailable(["header"]) == nil)
        #expect(GuestFacts.parseHosts(["127.0.1.1\tstorage.lab storage  # Debian's", "", "# only"]).map(\.names) == [["storage.lab", "storage"]])
        let sections = GuestFacts.sections("junk\n@@a\n1\n@@b\n@@c\n2\n3\n")
        #expect(sections == ["a": ["1"], "b": [], "c": ["2", "3", ""]])
    }

    @Test func healthyNodePassesEveryRule() throws {
        #expect(try Self.failing() == [])
        let report = LabCheckRules.evaluate(lab: Self.lab, nodes: [Self.storage], facts: ["storage": .success(try Self.facts())])
        #expect(report.passed)
        #expect(report.rules == ["hostnames", "ntp", "sudo", "network-interface", "external-interface", "cinder-volumes", "libvirtd",
                                 "virt-type", "python3", "var-space", "swap", "vip", "router-id"])
        #expect(report.text == "lab1: all 13 rules pass on 1 nodes (storage)")
    }

    /// Each break fails its own rule and no other, with one `NODE: RULE: found` line.
    @Test func eachBrokenRuleFailsAlone() throws {
        #expect(try Self.failing { $0.etcHosts.append(("127.0.1.1", ["storage.lab", "storage"])) } == ["hostnames"])
        #expect(try Self.failing { $0.resolved["compute"] = [] } == ["hostnames"])
        #expect(try Self.failing { $0.resolved["storage"] = ["127.0.1.1", "192.168.50.14"] } == ["hostnames"])
        #expect(try Self.failing { $0.ntpDaemons = []; $0.clockSynchronized = nil } == ["ntp"])
        #expect(try Self.failing { $0.clockSynchronized = false } == ["ntp"])
        #expect(try Self.failing { $0.passwordlessSudo = false } == ["sudo"])
        #expect(try Self.failing { $0.links["ens3"] = false } == ["network-interface"])
        #expect(try Self.failing { $0.addresses["ens3"] = ["192.168.50.99/24"] } == ["network-interface"])
        #expect(try Self.failing { $0.addresses["ens4"] = ["203.0.113.5/24"] } == ["external-interface"])
        #expect(try Self.failing { $0.links["ens4"] = false } == ["external-interface"])
        #expect(try Self.failing { $0.volumeGroups = [] } == ["cinder-volumes"])
        #expect(try Self.failing { $0.python3 = nil } == ["python3"])
        #expect(try Self.failing { $0.varAvailableKiB = 1000 } == ["var-space"])
        #expect(try Self.failing { $0.swapKiB = 0 } == ["swap"])
        #expect(try Self.failing { $0.addresses["ens3"]?.append("192.168.50.249/32") } == ["vip"])

        var sameNIC = Self.storage
        sameNIC.externalInterface = "ens3"
        #expect(try Self.failing(node: sameNIC) == ["external-interface"])

        let compute = Self.node("compute", roles: ["compute"])
        var computeFacts = try Self.facts { $0.addresses["ens3"] = ["192.168.50.135/24"] }
        func computeFailing(_ edit: (inout GuestFacts) -> Void, virtType: String = "qemu") -> [String] {
            var facts = computeFacts
            edit(&facts)
            var node = compute
            node.virtType = virtType
            return LabCheckRules.evaluate(lab: Self.lab, nodes: [node], facts: ["compute": .success(facts)]).failures.map(\.rule)
        }
        #expect(computeFailing { _ in } == [])
        #expect(computeFailing { $0.hypervisorDaemons = ["libvirtd"] } == ["libvirtd"])
        #expect(computeFailing({ _ in }, virtType: "kvm") == ["virt-type"])
        #expect(computeFailing({ $0.hasKVM = true }, virtType: "kvm") == [])
        #expect(computeFailing { $0.hasKVM = true } == [], "qemu runs anywhere, and a TCG guest's /dev/kvm opens too")
        computeFacts.volumeGroups = []
        #expect(computeFailing { _ in } == [], "cinder-volumes is a storage node's rule")

        var shared = Self.lab
        shared.otherRouterIDs["lab3"] = 17
        #expect(try Self.failing(lab: shared) == ["router-id"])
        var inRange = Self.lab
        inRange.vip = "192.168.50.200"
        #expect(try Self.failing(lab: inRange) == ["vip"])
        var outside = Self.lab
        outside.vip = "10.0.0.5"
        #expect(try Self.failing(lab: outside) == ["vip"])
    }

    @Test func failureLinesAndJSON() throws {
        let report = LabCheckRules.evaluate(
            lab: Self.lab, nodes: [Self.storage, Self.node("controller", roles: ["control"])],
            facts: ["storage": .success(try Self.facts { $0.etcHosts.append(("127.0.1.1", ["storage"])) }),
                    "controller": .failure(VMCtlError("ssh: connect to host 192.168.50.10 port 22: Connection refused"))])
        #expect(!report.passed)
        #expect(report.text == """
            storage: hostnames: /etc/hosts has "127.0.1.1 storage"
            controller: ssh: ssh: connect to host 192.168.50.10 port 22: Connection refused
            """)
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        #expect(json["passed"] as? Bool == false)
        let failures = try #require(json["failures"] as? [[String: String]])
        #expect(failures.first == ["node": "storage", "rule": "hostnames", "found": "/etc/hosts has \"127.0.1.1 storage\""])
        #expect(try JSONDecoder().decode(LabCheckReport.self, from: JSONEncoder().encode(report)) == report)
    }

    @Test func scriptQuotesNodeNamesAndOnlyReads() {
        let script = GuestFacts.script(nodeNames: ["controller", "odd name"])
        #expect(script.contains("for n in controller 'odd name'; do"))
        #expect(script.hasSuffix("echo @@end"))
        for verb in ["rm ", "vgremove", "systemctl stop", "ip addr add", "ip link set", "> /etc", ">/etc"] {
            #expect(!script.contains(verb))
        }
    }

    @Test func expectationsFollowKollaGlobals() throws {
        let (lab, nodes) = try LabChecker.expectations(OpenStackLab.status, routerID: 9, otherRouterIDs: [:])
        #expect(lab.vip == "192.168.121.254")
        #expect(lab.subnet == "192.168.121.0/24" && lab.dhcpRange == "192.168.121.100-192.168.121.199")
        #expect(nodes.map(\.networkInterface) == Array(repeating: "eth0", count: 5))
        #expect(nodes.first { $0.name == "storage" }?.externalInterface == nil, "storage has no provider NIC")
        #expect(nodes.first { $0.name == "network" }?.externalInterface == "eth1")
        #expect(nodes[0].lab["compute2"] == "192.168.121.12")
    }

    // MARK: router id

    @Test func routerIDIsDerivedAndSkipsTakenOnes() {
        let id = RouterID.proposed(lab: "vmctl-test-cloudlab")
        #expect(RouterID.range.contains(id))
        #expect(RouterID.proposed(lab: "vmctl-test-cloudlab") == id)
        #expect(RouterID.choose(lab: "vmctl-test-cloudlab", taken: []) == id)
        #expect(RouterID.choose(lab: "vmctl-test-cloudlab", taken: [id]) == (id == 255 ? 1 : id + 1))
        #expect(RouterID.choose(lab: "x", taken: Set(1...255)) == nil)
        #expect(RouterID.choose(lab: "x", taken: Set(1...255).subtracting([3])) == 3)
    }

    @Test func kollaGlobalsWritesTheRouterID() throws {
        let yaml = try KollaGlobals.render(OpenStackLab.status, routerID: 42).yaml
        let values = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        #expect(values["keepalived_virtual_router_id"] as? String == "42")
        #expect(KollaGlobals.values(of: yaml)["keepalived_virtual_router_id"] == "42")
    }

    // MARK: the seed

    static let plan = """
        lab: seedlab
        networks:
          - {name: mgmt, mode: nat, subnet: 10.77.0.0/24}
          - {name: provider, mode: isolated, subnet: 10.78.0.0/24, dhcp: false}
          - {name: lan, mode: bridge, bridge: br0}
        nodes:
          - {name: ctl, image: i, networks: [{name: mgmt, ip: 10.77.0.10}, {name: provider}]}
          - {name: cmp, image: i, networks: [{name: mgmt}]}
          - {name: ntp, image: i, networks: [{name: mgmt, ip: 10.77.0.12}], cloud_init: {ntp_servers: [ntp.example.org]}}
          - {name: br, image: i, networks: [{name: lan}]}
        """

    @Test func seedWritesHostsTimeAndSwap() throws {
        let plan = try LabPlan.parse(Self.plan, file: "p", defaultURI: "qemu:///system")
        let runner = LabRunner(plan: plan)
        func userData(_ name: String) throws -> [String: Any] {
            let text = try runner.seedConfig(for: try #require(plan.nodes.first { $0.name == name })).userData()
            return try #require(try Yams.load(yaml: text) as? [String: Any])
        }
        let ctl = try userData("ctl")
        #expect(ctl["manage_etc_hosts"] as? Bool == false)
        let files = try #require(ctl["write_files"] as? [[String: Any]])
        #expect(files.first?["path"] as? String == "/etc/hosts")
        let hosts = try #require(files.first?["content"] as? String)
        #expect(hosts.contains("10.77.0.10 ctl\n10.77.0.12 ntp\n"))
        #expect(!hosts.contains("127.0.1.1"))
        #expect(!hosts.contains("cmp"), "cmp's address is a DHCP lease, unknown at plan time")
        #expect((ctl["ntp"] as? [String: Any])?["servers"] as? [String] == ["10.77.0.1"])
        #expect((ctl["swap"] as? [String: Any])?["filename"] as? String == "/swap.img")
        #expect((try userData("cmp")["ntp"] as? [String: Any])?["servers"] as? [String] == ["10.77.0.1"])
        #expect((try userData("ntp")["ntp"] as? [String: Any])?["servers"] as? [String] == ["ntp.example.org"])
        #expect(try userData("br")["ntp"] == nil, "the host has no address on a bridge network")
        #expect(runner.hostTimeSubnets() == ["10.77.0.0/24"])
        #expect(HostTime.configText(lab: "seedlab", subnets: runner.hostTimeSubnets()).hasSuffix("\nallow 10.77.0.0/24\n"))
        // lab up waits for the clocks of the nodes whose seed sets a time source: not br's.
        #expect(runner.nodesWithSeedTime() == ["ctl", "cmp", "ntp"])
    }

    /// lab up's clock wait reads the clock sections alone, parsed as lab
    /// check parses them: chrony's Normal is not enough while the kernel,
    /// which kolla reads, says unsynchronized (a CI run's storage node).
    @Test func clockScriptIsLabChecksClockSections() throws {
        #expect(GuestFacts.clockScript.contains(GuestFacts.clockSections))
        #expect(GuestFacts.script(nodeNames: ["a"]).contains(GuestFacts.clockSections))
        #expect(GuestFacts.clockScript.hasSuffix("echo @@end"))
        let settling = try #require(GuestFacts.parse("@@chrony-tracking\nLeap status     : Normal\n@@timedatectl\nNTPSynchronized=no\n@@end\n"))
        #expect(settling.clockSynchronized == false)
        #expect(settling.clockNote == "timedatectl NTPSynchronized=no, chrony leap status Normal")
        let synchronized = try #require(GuestFacts.parse("@@chrony-tracking\nLeap status     : Normal\n@@timedatectl\nNTPSynchronized=yes\n@@end\n"))
        #expect(synchronized.clockSynchronized == true)
        #expect(GuestFacts.parse("@@chrony-tracking\nLeap status     : Normal\n") == nil, "cut short")
    }

    /// The host's chrony file for a lab is vmctl's only when vmctl wrote it:
    /// a file of that name someone else made, or a link, is neither replaced
    /// nor removed.
    @Test func hostTimeWritesAndRemovesOnlyItsOwnFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-chrony-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = HostTime.configFile(lab: "t", in: directory)

        let served = HostTime.serve(lab: "t", subnets: ["10.77.0.0/24"], directory: directory, chronydRunning: false)
        #expect(served.contains("chronyd is not running"), "\(served)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == HostTime.configText(lab: "t", subnets: ["10.77.0.0/24"]))
        _ = HostTime.serve(lab: "t", subnets: ["10.78.0.0/24"], directory: directory, chronydRunning: false)
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasSuffix("\nallow 10.78.0.0/24\n"), "its own file is rewritten")
        HostTime.stopServing(lab: "t", directory: directory)
        #expect(!FileManager.default.fileExists(atPath: file))

        // Someone's own file of that name, and another lab's header, stay.
        for text in ["allow 192.168.0.0/16\n", HostTime.configText(lab: "other", subnets: ["10.1.0.0/24"])] {
            try text.write(toFile: file, atomically: false, encoding: .utf8)
            let refused = HostTime.serve(lab: "t", subnets: ["10.77.0.0/24"], directory: directory, chronydRunning: false)
            #expect(refused == "the host does not serve time to lab t: \(file) is not a file vmctl wrote; it is left as it is")
            HostTime.stopServing(lab: "t", directory: directory)
            #expect(try String(contentsOfFile: file, encoding: .utf8) == text)
            try FileManager.default.removeItem(atPath: file)
        }

        // A link is not followed, replaced or removed, even to a file vmctl wrote.
        let target = directory + "/elsewhere.conf"
        try HostTime.configText(lab: "t", subnets: ["10.1.0.0/24"]).write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: target)
        #expect(HostTime.serve(lab: "t", subnets: ["10.77.0.0/24"], directory: directory, chronydRunning: false).contains("is not a file vmctl wrote"))
        HostTime.stopServing(lab: "t", directory: directory)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: file) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasSuffix("allow 10.1.0.0/24\n"))
    }
}
