import Foundation
import LibvirtXML
import NoCloud
import Testing
@testable import VMCtlKit

/// Spanned lab networks on values: the plan's `span:` block, the segments
/// and names derived from it, the kernel commands' argument vectors, the
/// parsers of `ip -j` output, and the MTU in the seed.
@Suite struct SpannedNetworkTests {
    let twoHosts = """
        lab: demo
        hosts:
          host2: "qemu+unix:///system?socket=/var/lib/vmctl/hosts/host2/run/libvirt/libvirt-sock"
          host3: "qemu+ssh://root@host3.example:2222/system?keyfile=/root/.ssh/lab&known_hosts=/root/.ssh/lab_hosts"
        span:
          hosts:
            local: {address: 10.251.23.1, device: vw1}
            host2: {address: 10.251.23.2, device: vmctlwire0, stand_in: host2}
            host3: {address: 10.251.23.3, device: eth1, mtu: 9000}
        networks:
          - {name: mgmt, subnet: 10.1.0.0/24}
          - {name: prov, mode: isolated, subnet: 10.2.0.0/24}
          - {name: solo, subnet: 10.3.0.0/24}
        nodes:
          - {name: a, disk_size: 1G, networks: [mgmt, prov, solo]}
          - {name: b, disk_size: 1G, host: host2, networks: [mgmt, prov]}
          - {name: c, disk_size: 1G, host: host3, networks: [mgmt]}
        """

    @Test func segmentsAreTheNetworksUsedOnSeveralHosts() throws {
        let plan = try LabPlan.parse(twoHosts, defaultURI: "qemu:///system")
        let segments = SpannedSegment.segments(of: plan)
        #expect(segments.map(\.network) == ["mgmt", "prov"])
        let mgmt = try #require(segments.first)
        #expect(mgmt.home == "local")
        #expect(mgmt.hosts == ["local", "host2", "host3"])
        #expect(segments[1].hosts == ["local", "host2"])
        // The smallest underlay MTU less the VXLAN header.
        #expect(mgmt.guestMTU == 1450)
        // Deterministic, distinct per network, one UDP port per lab, names within 15 characters.
        #expect(mgmt == SpannedSegment.segments(of: try LabPlan.parse(twoHosts, defaultURI: "qemu:///system"))[0])
        #expect(segments[0].vni != segments[1].vni)
        #expect(segments[0].port == segments[1].port)
        #expect((4096..<(1 << 24)).contains(mgmt.vni))
        #expect((47890..<48890).contains(mgmt.port))
        #expect(mgmt.bridge.rawValue.count <= 15 && mgmt.vxlan.rawValue.count <= 15)
        #expect(mgmt.bridge != segments[1].bridge)
        // Another lab with the same network names gets other numbers and names.
        let other = try LabPlan.parse(twoHosts.replacingOccurrences(of: "lab: demo", with: "lab: demo2"), defaultURI: "qemu:///system")
        #expect(SpannedSegment.segments(of: other)[0].vni != mgmt.vni)
        #expect(SpannedSegment.segments(of: other)[0].bridge != mgmt.bridge)
    }

    @Test func withoutSpanEachHostKeepsItsOwnCopy() throws {
        let text = twoHosts.replacingOccurrences(of: """
            span:
              hosts:
                local: {address: 10.251.23.1, device: vw1}
                host2: {address: 10.251.23.2, device: vmctlwire0, stand_in: host2}
                host3: {address: 10.251.23.3, device: eth1, mtu: 9000}

            """, with: "")
        let plan = try LabPlan.parse(text, defaultURI: "qemu:///system")
        #expect(plan.span == nil)
        #expect(SpannedSegment.segments(of: plan).isEmpty)
    }

    @Test func homeIsThePlansWhenItHasANode() throws {
        let text = twoHosts.replacingOccurrences(of: "span:\n  hosts:", with: "span:\n  home: host2\n  hosts:")
        let segments = SpannedSegment.segments(of: try LabPlan.parse(text, defaultURI: "qemu:///system"))
        #expect(segments.map(\.home) == ["host2", "host2"])
        #expect(segments[0].hosts == ["host2", "host3", "local"])
    }

    /// Nodes take time from the host where their management network's
    /// addresses live: the segment's home, or their own host for a network
    /// only they use. This machine's chronyd allows only its own share.
    @Test func nodesTakeTimeFromTheHostWithTheirNetworksAddresses() throws {
        let local = LabRunner(plan: try LabPlan.parse(twoHosts, defaultURI: "qemu:///system"))
        #expect(local.plan.nodes.map { local.timeHost(for: $0) } == ["local", "local", "local"])
        #expect(local.hostTimeSubnets() == ["10.1.0.0/24"])
        #expect(local.hostTimeElsewhere().isEmpty)

        // Homed on host2, mgmt's addresses (and its NTP server) live there; a
        // network only host3's node uses is host3's own.
        let text = twoHosts.replacingOccurrences(of: "span:\n  hosts:", with: "span:\n  home: host2\n  hosts:")
            .replacingOccurrences(of: "  - {name: c, disk_size: 1G, host: host3, networks: [mgmt]}",
                                  with: "  - {name: c, disk_size: 1G, host: host3, networks: [solo3]}\n  - {name: d, disk_size: 1G, networks: [solo]}")
            .replacingOccurrences(of: "  - {name: solo, subnet: 10.3.0.0/24}",
                                  with: "  - {name: solo, subnet: 10.3.0.0/24}\n  - {name: solo3, subnet: 10.4.0.0/24}")
        let away = LabRunner(plan: try LabPlan.parse(text, defaultURI: "qemu:///system"))
        #expect(away.plan.nodes.map { away.timeHost(for: $0) } == ["host2", "host2", "host3", "local"])
        #expect(away.hostTimeSubnets() == ["10.3.0.0/24"])
        #expect(away.hostTimeSubnets(on: "host2") == ["10.1.0.0/24"])
        #expect(away.hostTimeElsewhere() == [
            "nodes on 10.1.0.0/24 take time from host host2's address there; vmctl sets up chrony on this machine only: on host2, chrony must run with `allow` for it",
            "nodes on 10.4.0.0/24 take time from host host3's address there; vmctl sets up chrony on this machine only: on host3, chrony must run with `allow` for it",
        ])
    }

    @Test func theChannelToEachHostsKernelComesFromTheURIOrStandIn() throws {
        let plan = try LabPlan.parse(twoHosts, defaultURI: "qemu:///system")
        let span = try #require(plan.span)
        #expect(span.hosts["local"]?.channel == .process)
        #expect(span.hosts["host2"]?.channel == .standIn(name: "host2"))
        #expect(span.hosts["host3"]?.channel == .ssh(user: "root", host: "host3.example", port: 2222, keyFile: "/root/.ssh/lab",
                                                      knownHosts: "/root/.ssh/lab_hosts"))
        #expect(span.hosts["host3"]?.mtu == 9000)
        #expect(HostChannel.implied(byURI: "qemu+tcp://host4/system") == nil)
        #expect(HostChannel.implied(byURI: "qemu:///system") == .process)
    }

    @Test func badSpanInputIsOneLinePerField() throws {
        let text = """
            lab: demo
            hosts:
              far: "qemu+tcp://far.example/system"
            span:
              home: nowhere
              hosts:
                local: {address: 10.251.23.1/30, device: "eth0;reboot"}
                far: {address: 10.251.23.2, device: eth0}
                ghost: {address: 10.251.23.3, device: eth0}
            nodes:
              - {name: a, disk_size: 1G}
            """
        let error = #expect(throws: PlanError.self) { try LabPlan.parse(text, file: "p.yaml", defaultURI: "qemu:///system") }
        let lines = error?.description.split(separator: "\n").map(String.init) ?? []
        #expect(lines.contains("p.yaml:5: span.home: 'nowhere' is not in hosts (far, local)"))
        #expect(lines.contains("p.yaml:7: span.hosts.local.address: \"10.251.23.1/30\" is not allowed: an IPv4 address"))
        #expect(lines.contains("p.yaml:7: span.hosts.local.device: \"eth0;reboot\" is not allowed: \(KernelLinkName.rule)"))
        #expect(lines.contains { $0.hasPrefix("p.yaml:8: span.hosts.far: no channel to its kernel") })
        #expect(lines.contains("p.yaml:9: span.hosts.ghost: 'ghost' is not in hosts (far, local)"))
        #expect(lines.count == 5, "\(lines)")
    }

    @Test func kernelCommandsAreArgumentVectorsOfCheckedWords() throws {
        let vx = try KernelLinkName("vx0123abcd")
        let br = try KernelLinkName("vs0123abcd")
        let wire = try KernelLinkName("vmctlwire0")
        let command = KernelCommand.addVXLAN(vx, vni: 5013806, port: 48295, local: try IPAddress("10.251.23.2"), device: wire)
        #expect(command.description == "ip link add vx0123abcd type vxlan id 5013806 local 10.251.23.2 dev vmctlwire0 dstport 48295")
        #expect(KernelCommand.floodTo(vx, remote: try IPAddress("10.251.23.1")).description
            == "bridge fdb append 00:00:00:00:00:00 dev vx0123abcd dst 10.251.23.1")
        #expect(KernelCommand.attach(vx, bridge: br).arguments == ["link", "set", "vx0123abcd", "master", "vs0123abcd"])
        #expect(KernelCommand.delete(br).description == "ip link del vs0123abcd")
        for bad in ["", "sixteen-chars-xx", "-x", ".x", "a b", "a;b", "a/b", "$(x)"] {
            #expect(throws: VMCtlError.self) { try KernelLinkName(bad) }
        }
        // Through each channel: the same words, wrapped by nsenter or ssh.
        let (program, arguments) = try HostChannel.process.invocation(.setUp(br))
        #expect(program.hasSuffix("/ip") && arguments == ["link", "set", "vs0123abcd", "up"])
        let ssh = HostChannel.ssh(user: "root", host: "h3", port: 2222, keyFile: "/k", knownHosts: nil)
        let (sshProgram, sshArguments) = try ssh.invocation(.setUp(br))
        #expect(sshProgram == "/usr/bin/ssh")
        #expect(Array(sshArguments.suffix(7)) == ["root@h3", "--", "ip", "link", "set", "vs0123abcd", "up"])
        #expect(sshArguments.contains("BatchMode=yes") && sshArguments.contains("2222"))
        #expect(!sshArguments.contains("UserKnownHostsFile=/dev/null") && sshArguments.contains("StrictHostKeyChecking=yes"))
        #expect(throws: VMCtlError.self) { try HostChannel.standIn(name: "no/such").invocation(.listLinks) }
        #expect(throws: VMCtlError.self) { try HostChannel.ssh(user: nil, host: "h;x", port: nil, keyFile: nil, knownHosts: nil).invocation(.listLinks) }
    }

    /// The URI `Scripts/second-libvirtd.sh sshd` prints: libvirt's ssh gets the key from keyfile= and the
    /// known_hosts through command='s wrapper; vmctl's channel reads both from the query and checks strictly.
    @Test func theStandInsSSHURIImpliesAStrictSSHChannel() throws {
        let directory = "/var/lib/vmctl/hosts/h2/ssh"
        let uri = "qemu+ssh://root@10.251.25.2:2222/system?keyfile=\(directory)/client_key&known_hosts=\(directory)/known_hosts"
            + "&command=\(directory)/ssh&no_tty=1"
        let channel = try #require(HostChannel.implied(byURI: uri))
        #expect(channel == .ssh(user: "root", host: "10.251.25.2", port: 2222, keyFile: "\(directory)/client_key",
                                knownHosts: "\(directory)/known_hosts"))
        #expect(channel.description == "ssh root@10.251.25.2:2222")
        let (program, arguments) = try channel.invocation(.listLinks)
        #expect(program == "/usr/bin/ssh")
        let options = stride(from: 0, to: arguments.count - 1, by: 1).filter { arguments[$0] == "-o" }.map { arguments[$0 + 1] }
        #expect(Set(options).isSuperset(of: ["BatchMode=yes", "StrictHostKeyChecking=yes", "IdentitiesOnly=yes",
                                             "UserKnownHostsFile=\(directory)/known_hosts", "GlobalKnownHostsFile=/dev/null"]))
        #expect(arguments.firstIndex(of: "-i").map { arguments[$0 + 1] } == "\(directory)/client_key")
        #expect(arguments.firstIndex(of: "-p").map { arguments[$0 + 1] } == "2222")
        #expect(Array(arguments.suffix(7)) == ["root@10.251.25.2", "--", "ip", "-d", "-j", "link", "show"])
    }

    /// ssh's refusal of a changed host key (OpenSSH 9.2's words, trimmed) is one line naming the known_hosts file.
    @Test func aRefusedHostKeyIsOneLine() {
        let channel = HostChannel.ssh(user: "root", host: "10.251.25.2", port: 2222, keyFile: "/k", knownHosts: "/kh")
        let banner = """
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
            @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
            Offending ED25519 key in /kh:1
            Host key for [10.251.25.2]:2222 has changed and you have requested strict checking.
            Host key verification failed.

            """
        #expect(channel.sshFailure(banner) == "its host key is not the one in /kh (ssh refused it: host key verification failed)")
        #expect(channel.sshFailure("No ED25519 host key is known for [10.251.25.2]:2222 and you have requested strict checking.\n"
            + "Host key verification failed.\n") == "its host key is not in /kh (ssh refused it: host key verification failed)")
        #expect(channel.sshFailure("ssh: connect to host 10.251.25.2 port 2222: Connection refused\r\n")
            == "ssh failed: ssh: connect to host 10.251.25.2 port 2222: Connection refused")
    }

    @Test func ipJSONIsParsed() throws {
        // Trimmed from `ip -d -j link show` and `ip -4 -j addr show` on Debian 12 (iproute2 6.1).
        let links = """
            [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"linkinfo":null},\
            {"ifindex":5,"ifname":"vx134b411b","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1450,"master":"vs134b411b",\
            "linkinfo":{"info_kind":"vxlan","info_data":{"id":5013806,"local":"10.251.23.2","link":"vmctlwire0","port_range":{"low":0,"high":0},"port":48295,"learning":true},\
            "info_slave_kind":"bridge"}},\
            {"ifindex":4,"ifname":"vs134b411b","flags":["BROADCAST","MULTICAST"],"mtu":1500,"linkinfo":{"info_kind":"bridge","info_data":{"stp_state":0}}}]
            """
        let parsed = try KernelLink.parse(links)
        #expect(parsed.map(\.name) == ["lo", "vx134b411b", "vs134b411b"])
        #expect(parsed[1].kind == "vxlan" && parsed[1].vni == 5013806 && parsed[1].port == 48295 && parsed[1].master == "vs134b411b")
        #expect(parsed[1].underlay == "vmctlwire0" && parsed[1].up && parsed[1].mtu == 1450)
        #expect(parsed[2].kind == "bridge" && !parsed[2].up && parsed[2].master == nil)
        #expect(try KernelLink.parse("") == [])
        #expect(throws: (any Error).self) { try KernelLink.parse("Device \"x\" does not exist.") }

        let addresses = KernelLink.addresses("""
            [{"ifindex":3,"ifname":"vw19384568","addr_info":[{"family":"inet","local":"10.251.23.1","prefixlen":30}]},{"ifindex":1,"ifname":"lo","addr_info":[{"local":"127.0.0.1"}]}]
            """)
        #expect(addresses["vw19384568"] == [try IPAddress("10.251.23.1")])
        let fdb = KernelLink.floodTargets("""
            [{"mac":"00:00:00:00:00:00","dst":"10.251.23.1","flags":["self","permanent"]},{"mac":"52:54:00:01:02:03","dst":"10.251.23.9"}]
            """)
        #expect(fdb == [try IPAddress("10.251.23.1")])
    }

    @Test func theSeedCarriesTheLoweredMTU() throws {
        var config = SeedConfig(hostname: "b", instanceID: "demo-b")
        config.interfaces = [SeedConfig.Interface(mac: "52:54:00:12:34:56", name: "eth0", ipv4: .dhcp, mtu: 1450),
                             SeedConfig.Interface(mac: "52:54:00:12:34:57", name: "eth1", ipv4: .unconfigured)]
        let text = try #require(try config.networkConfig())
        #expect(text.contains("mtu: 1450"))
        #expect(text.components(separatedBy: "mtu:").count == 2)
        // The lab gives a spanned network's NICs that MTU, and the others none.
        let plan = try LabPlan.parse(twoHosts, defaultURI: "qemu:///system")
        let runner = LabRunner(plan: plan)
        let a = try #require(plan.nodes.first { $0.name == "a" })
        #expect(a.networks.enumerated().map { runner.networkSpec($1, index: $0, node: a).mtu } == [1450, 1450, nil])
    }
}
