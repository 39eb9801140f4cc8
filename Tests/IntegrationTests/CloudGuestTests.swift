import Foundation
import Libvirt
import LibvirtXML
import NoCloud
import Testing
import VMCtlKit

/// The real Debian 12 cloud guest (Scripts/build-cloud-image.sh): systemd,
/// cloud-init, sshd. What the guest itself must see is checked inside it,
/// with the clients users run: ssh and ansible.
///
/// The waits are long on purpose: in CI four of these TCG guests boot at once
/// on two cores beside the other suites, and six at once took over 600 s to
/// finish cloud-init (one alone: about 160 s on this kind of machine).
enum CloudImage {
    static let path = ProcessInfo.processInfo.environment["VMCTL_CLOUD_IMAGE"] ?? "/var/lib/vmctl/cloud-image/debian-12.qcow2"
    static let user = "debian"

    /// A key pair made for this test process.
    static let key: (privateKey: String, publicKey: String) = {
        let directory = Daemon.runDirectory.appendingPathComponent("vmctl-cloud-key-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let privateKey = directory + "/id_ed25519"
        if !FileManager.default.fileExists(atPath: privateKey) {
            _ = try? ChildProcess.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "vmctl-test", "-f", privateKey])
        }
        let publicKey = (try? String(contentsOfFile: privateKey + ".pub", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return (privateKey, publicKey)
    }()

    /// Runs `command` in the guest at `address` as the default user; fails the test on an SSH error.
    static func ssh(_ address: String, _ command: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let ssh = SSHCommand(user: user, host: address, hostKeys: .unchecked, privateKey: key.privateKey)
        // Generous: with four TCG guests on two cores, `cloud-init status` (Python) took over 60 s.
        let result = try ChildProcess.run(ssh.executable, ssh.arguments(remote: command), timeout: 300)
        #expect(result.status == 0, "ssh \(address) \(command): \(result.errors)", sourceLocation: sourceLocation)
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@Suite(.enabled(if: Daemon.enabled), .serialized) struct IntegrationCloudGuestTests {
    /// A pool holding the cloud image (copied in by the test) and a NAT network.
    struct Bed {
        let scope: TestScope
        let pool: StoragePool
        let poolName: String
        let network: String

        init(_ scope: TestScope) throws {
            self.scope = scope
            #expect(FileManager.default.fileExists(atPath: CloudImage.path), "run Scripts/build-cloud-image.sh first")
            poolName = scope.name("pool")
            let target = Daemon.runDirectory.appendingPathComponent(poolName).path
            let poolXML = try StoragePoolDefinition(type: .dir, name: ObjectName(poolName), targetPath: target).xml()
            pool = try scope.connection.defineStoragePool(xml: poolXML)
            try pool.build()
            try pool.start()
            try FileManager.default.copyItem(atPath: CloudImage.path, toPath: target + "/debian-12.qcow2")
            try pool.refresh()
            network = scope.name("net")
            let subnet = try IPNetwork(cidr: try scope.freeSubnet() + ".0/24")
            let networkXML = try NetworkDefinition(name: ObjectName(network), forward: .nat, ips: [NetworkIP(subnet: subnet)]).xml()
            try scope.connection.defineNetwork(xml: networkXML).start()
        }
    }

    /// vm create with --ssh-key: cloud-init gives the key to `debian`, and the
    /// guest is reachable over SSH with its own name as host name when
    /// `--wait cloud-init` returns. Then a linked clone of it has its own host
    /// name, machine-id, instance-id, SSH host keys and address.
    @Test func createWaitsUntilReadyAndClonesGetTheirOwnIdentity() async throws {
        let scope = try TestScope("cloud")
        defer { scope.clean() }
        let bed = try Bed(scope)
        let source = scope.name("src")
        // The agent's channel opening inside the guest is an event.
        let agentEvents = IntegrationLiveBindingTests.Collected(try scope.connection.domainAgentLifecycleEvents())
        defer { agentEvents.cancel() }
        let created = try await runVMCtl([
            "vm", "create", source, "-c", Daemon.uri, "--image", "\(bed.poolName)/debian-12.qcow2", "--pool", bed.poolName,
            "--memory", "768M", "--network", "\(bed.network),device=lab0", "--ssh-key", "@\(CloudImage.key.privateKey).pub",
            "--serial-file", Daemon.runDirectory.appendingPathComponent(source + ".log").path,
            "--wait", "cloud-init", "--wait-timeout", "1500", "-o", "json",
        ])
        try #require(created.status == 0, "vm create: \(created.errors)")
        let report = try JSONDecoder().decode(CreatedVM.self, from: Data(created.output.utf8))
        let stages = report.readiness.first?.stages.map(\.stage) ?? []
        #expect(stages == [.defined, .booted, .address, .ssh, .cloudInit], "\(created.errors)")
        let address = try #require(report.addresses.first?.address)
        // Right when vm create returns: SSH with the injected key works and cloud-init is done.
        #expect(try CloudImage.ssh(address, ["hostname"]) == source)
        #expect(try CloudImage.ssh(address, ["cloud-init", "status"]).contains("status: done"))
        // The plan's NIC name is the guest's.
        #expect(try CloudImage.ssh(address, ["cat", "/sys/class/net/lab0/address"]) == report.macs.first)
        try await checkGuestAgent(scope.connection.domain(named: source), hostname: source, address: address, mac: report.macs.first)
        let agentUp = await agentEvents.first(within: 10) {
            $0.domainName == source && $0.fact.state == .connected && $0.fact.reason == .channel
        }
        #expect(agentUp != nil, "agent lifecycle events: \(agentEvents.events.map { "\($0.domainName): \($0.fact)" })")
        // vm ssh and vm scp log in with the recorded user and key; the exit status is the remote one.
        let remoteStatus = try await runVMCtl(["vm", "ssh", source, "-c", Daemon.uri, "--", "sh", "-c", "exit 7"], timeout: 300)
        #expect(remoteStatus.status == 7, "vm ssh: \(remoteStatus.errors)")
        let local = Daemon.runDirectory.appendingPathComponent(scope.name("payload.txt")).path
        try "from the host, with a space\n".write(toFile: local, atomically: true, encoding: .utf8)
        let put = try await runVMCtl(["vm", "scp", "-c", Daemon.uri, local, "\(source):/tmp/pay load.txt"], timeout: 300)
        #expect(put.status == 0, "vm scp to the guest: \(put.errors)")
        #expect(try CloudImage.ssh(address, ["cat", "/tmp/pay load.txt"]) == "from the host, with a space")
        let fetched = local + ".back"
        let get = try await runVMCtl(["vm", "scp", "-c", Daemon.uri, "\(source):/etc/hostname", fetched], timeout: 300)
        #expect(get.status == 0, "vm scp from the guest: \(get.errors)")
        #expect((try? String(contentsOfFile: fetched, encoding: .utf8)) == source + "\n")

        func identity(_ vm: String) throws -> [String: String] {
            let domain = try scope.connection.domain(named: vm)
            let lease = try #require(VMAddressFinder(connection: scope.connection).addresses(of: domain).first { $0.family == "ipv4" })
            let lines = try CloudImage.ssh(lease.address, [
                "sh", "-c", "hostname; cat /etc/machine-id; cloud-init query instance_id; ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub",
            ]).split(separator: "\n").map(String.init)
            try #require(lines.count == 4, "\(lines)")
            return ["MAC": lease.mac ?? "", "hostname": lines[0], "machine-id": lines[1], "instance-id": lines[2], "host key": lines[3]]
        }
        // The source's identity is read before it stops. What its DHCP lease
        // rests on, MAC and machine-id (systemd-networkd's client ID), is
        // compared rather than addresses: the source releases its lease when it
        // shuts down, so the clone may rightly get the same address. (Starting
        // the source again beside the clone would cost another TCG boot.)
        let a = try identity(source)
        let stopped = try await runVMCtl(["vm", "stop", source, "-c", Daemon.uri, "--timeout", "180"])
        try #require(stopped.status == 0, "vm stop: \(stopped.errors)")
        let clone = scope.name("copy")
        let cloned = try await runVMCtl(["vm", "clone", source, clone, "-c", Daemon.uri, "--linked", "--start",
                                   "--wait", "cloud-init", "--wait-timeout", "1500"])
        try #require(cloned.status == 0, "vm clone: \(cloned.errors)")
        let b = try identity(clone)
        #expect(a["hostname"] == source && b["hostname"] == clone)
        for key in ["MAC", "machine-id", "instance-id", "host key"] {
            #expect(a[key] != b[key], "\(key) is the same: \(a[key] ?? "")")
        }
        // The clone's seed names the clone; the source's still names the source.
        let cloneAddress = try #require(VMAddressFinder(connection: scope.connection)
            .addresses(of: try scope.connection.domain(named: clone)).first { $0.family == "ipv4" }?.address)
        #expect(try CloudImage.ssh(cloneAddress, ["cat", "/etc/hostname"]) == clone)
        let sourceSeedPath = try bed.pool.volume(named: "\(source)-seed.iso").path()
        let sourceSeed = try SeedImage(iso: try Data(contentsOf: URL(fileURLWithPath: sourceSeedPath)))
        #expect(sourceSeed.metaData.contains("local-hostname: \(source)"), "\(sourceSeed.metaData)")
        try await checkKnownHostKeys(vm: clone, address: cloneAddress, other: source)
        // Each has its own seed; deleting the clone leaves the source's.
        let deleted = try VMDeleter(connection: scope.connection).delete(clone, force: true)
        #expect(deleted.deletedVolumes.contains("\(bed.poolName)/\(clone)-seed.iso"))
        try bed.pool.refresh()
        #expect(try bed.pool.volume(named: "\(source)-seed.iso").path().isEmpty == false)
        _ = try VMDeleter(connection: scope.connection).delete(source, force: true)
        try bed.pool.refresh()
        #expect(try bed.pool.volumes().map(\.name).sorted() == ["debian-12.qcow2"])
    }

    /// The guest agent, read through the binding: the image has qemu-guest-agent
    /// and vm create gives every domain the agent's channel. The agent starts a
    /// few seconds after boot, so the first call is retried, with a bound.
    func checkGuestAgent(_ domain: Domain, hostname: String, address: String, mac: String?) async throws {
        #expect(try DomainDefinition(xml: domain.xml()).guestAgent, "no org.qemu.guest_agent.0 channel")
        let agentHostname = try await Library.offload { () throws -> String in
            let deadline = Date().addingTimeInterval(180)
            while true {
                do {
                    return try domain.hostname(from: .agent)
                } catch let error as LibvirtError where [.agentUnresponsive, .agentUnsynced].contains(error.code) && Date() < deadline {
                    Thread.sleep(forTimeInterval: 2)
                }
            }
        }
        #expect(agentHostname == hostname)
        let fileSystems = try await Library.offload { try domain.fileSystems() }
        let root = fileSystems.first { $0.mountPoint == "/" }
        #expect(root?.type == "ext4", "file systems from the agent: \(fileSystems)")
        #expect(root?.diskAliases.isEmpty == false, "the root file system names no disk: \(fileSystems)")
        let interfaces = try await Library.offload { try domain.interfaceAddresses(source: .agent) }
        let nic = interfaces.first { $0.addresses.contains { $0.address == address } }
        #expect(nic?.name == "lab0", "agent interfaces: \(interfaces)")
        #expect(nic?.mac == mac)
        let info = try await Library.offload { try domain.guestInfo([.operatingSystem, .hostname]) }
        #expect(info["os.id"] == .string("debian"), "guest info: \(info)")
        #expect(info["os.version-id"] == .string("12"), "guest info: \(info)")
        #expect(info["hostname"] == .string(hostname), "guest info: \(info)")
    }

    struct CreatedVM: Decodable {
        var addresses: [VMAddress]
        var readiness: [ReadinessReport]
        var macs: [String] = []

        enum CodingKeys: String, CodingKey { case addresses, readiness }
        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            addresses = try container.decode([VMAddress].self, forKey: .addresses)
            readiness = try container.decode([ReadinessReport].self, forKey: .readiness)
            macs = addresses.compactMap(\.mac)
        }
    }

}

/// An OpenStack-shaped lab on the real guest: its own suite, so that it boots
/// beside the single-VM tests above and both cores are used. Three nodes, as
/// kolla's smallest multinode layout (network services on the controller):
/// each TCG boot costs about two minutes of one core, and CI has two.
///
/// The lab spans two hosts (issue 23): the compute node runs on a stand-in
/// second host (Scripts/second-libvirtd.sh, Docs/multi-host.md) joined by its
/// wire, and both lab networks span the two hosts (VXLAN; DHCP, DNS, NAT and
/// the host's NTP on this machine). Everything below then holds across hosts.
@Suite(.enabled(if: Daemon.enabled), .serialized) struct IntegrationCloudLabTests {
    /// VMCTL_CLOUDLAB_NAME gives a run its own prefix, so engineers sharing a daemon can run this lab at once.
    let lab = ProcessInfo.processInfo.environment["VMCTL_CLOUDLAB_NAME"] ?? "vmctl-test-cloudlab"
    /// The node on the second host.
    static let awayNode = "compute"

    /// The stand-in second host, named from the lab: CI runs IntegrationSpannedNetworkTests
    /// (stand-in vmctl-test-h23-host2) in another process at the same time.
    var standIn: String { "\(lab)-h2" }

    /// The wire's /30, from the lab's name (FNV-1a): one of 64 in 10.251.24.0/24,
    /// never IntegrationSpannedNetworkTests' 10.251.23.0.
    var wireNet: String {
        var hash: UInt32 = 0x811c_9dc5
        for byte in lab.utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return "10.251.24.\(4 * (hash % 64))"
    }

    /// The stand-in host compute runs on, with this lab's wire.
    var secondHost: StandInHost { StandInHost(name: standIn, wireNet: wireNet) }

    func planText(mgmt: String, provider: String, host2: StandInHost.Started) -> String {
        """
        lab: \(lab)
        workers: 3
        ready_timeout: 1800
        hosts:
          host2: "\(host2.socketURI)"
        span:
          hosts:
            local: {address: \(host2.hostAddress), device: \(host2.hostDevice)}
            host2: {address: \(host2.peerAddress), device: \(host2.peerDevice), stand_in: \(standIn)}
        login:
          user: \(CloudImage.user)
          private_key: \(CloudImage.key.privateKey)
        serial_dir: \(Daemon.runDirectory.path)/\(lab)-serial
        pools:
          - name: \(lab)-pool
            target: \(Daemon.runDirectory.path)/\(lab)-pool
        images:
          - name: debian-12.qcow2
            pool: \(lab)-pool
            path: \(CloudImage.path)
        networks:
          - name: mgmt
            mode: nat
            subnet: \(mgmt).0/24
          - name: provider
            mode: isolated
            subnet: \(provider).0/24
            dhcp: false
        defaults:
          image: debian-12.qcow2
          memory: 512M
          cloud_init:
            ssh_keys: ['\(CloudImage.key.publicKey)']
        nodes:
          - name: controller
            roles: [control, network]
            networks:
              - {name: mgmt, device: ens3, ip: \(mgmt).10}
              - {name: provider, device: ens4}
          - name: \(Self.awayNode)
            roles: [compute]
            host: host2
            networks:
              - {name: mgmt, device: ens3}
              - {name: provider, device: ens4}
          - name: storage
            roles: [storage]
            disks:
              - {size: 2G, vg: cinder-volumes}
            networks:
              - {name: mgmt, device: ens3, ip: \(mgmt).14}
              - {name: provider, device: ens4}
        """
    }

    /// Right after `lab up` returns, Ansible with vmctl's own inventory reaches
    /// every node, and a playbook checks what kolla's prechecks rely on: the
    /// management NIC by the name globals.yml gives, carrying the node's
    /// address; the provider NIC there with no address; cinder-volumes on the
    /// storage node; every host name the node's name; the spanned networks' MTU.
    @Test func openStackLabIsReadyForAnsibleWhenLabUpReturns() async throws {
        let scope = try TestScope("cloudlab")
        defer { scope.clean() }
        // Runs after the lab's lab down below (the stand-in's part of the lab goes through its daemon
        // first), and also when the start or the wire fails half-way.
        defer { secondHost.stop() }
        let host2 = try secondHost.start()
        let mgmt = try scope.freeSubnet()
        let text = planText(mgmt: mgmt, provider: try scope.freeSubnet(), host2: host2)
        let directory = Daemon.runDirectory.appendingPathComponent("\(lab)-ansible").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let planPath = directory + "/plan.yaml"
        try text.write(toFile: planPath, atomically: true, encoding: .utf8)
        let plan = try LabPlan.load(path: planPath, defaultURI: Daemon.uri)
        // What a killed run left on this host (its checkpoints too) goes first.
        _ = try? LabRunner(plan: plan).down(keepNetworks: false)
        defer { _ = try? LabRunner(plan: plan).down(keepNetworks: false) }

        let clock = ContinuousClock()
        let upStarted = clock.now
        let up = try await runVMCtl(["lab", "up", planPath, "-c", Daemon.uri])
        try #require(up.status == 0, "lab up: \(up.errors)")
        print("lab up of 3 real guests on two hosts (\(Self.awayNode) on the stand-in \(standIn)): \(clock.now - upStarted)")
        #expect(up.output.contains("ready: controller: address"), "\(up.output)")
        // The compute node runs on the second host, and only there.
        let away = "\(lab)-\(Self.awayNode)"
        #expect(try Connection(uri: host2.socketURI).domain(named: away).state().state == .running)
        #expect(try scope.connection.domains().map(\.name).contains(away) == false)
        let inventory = try await runVMCtl(["lab", "inventory", planPath, "-c", Daemon.uri, "--format", "kolla"])
        try #require(inventory.status == 0, "\(inventory.errors)")
        try inventory.output.write(toFile: directory + "/inventory", atomically: true, encoding: .utf8)
        let globals = try await runVMCtl(["lab", "kolla-globals", planPath, "-c", Daemon.uri])
        try #require(globals.status == 0, "\(globals.errors)")
        try globals.output.write(toFile: directory + "/globals.yml", atomically: true, encoding: .utf8)
        #expect(globals.output.contains("network_interface: \"ens3\""))
        #expect(globals.output.contains("neutron_external_interface: \"ens4\""))
        #expect(globals.output.contains("enable_cinder_backend_lvm: \"yes\""))
        try expectKollaAcrossHosts(plan: plan, mgmt: mgmt, inventory: inventory.output, globals: globals.output)

        let environment = ProcessInfo.processInfo.environment.merging(
            ["ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_RETRY_FILES_ENABLED": "0"]) { $1 }
        let ping = try await runOffThePool("/usr/bin/ansible", ["all:!localhost", "-i", directory + "/inventory", "-m", "ping"],
                                           environment: environment, timeout: 300)
        #expect(ping.status == 0, "ansible ping: \(ping.output) \(ping.errors)")
        for node in ["controller", "compute", "storage"] {
            #expect(ping.output.contains("\(node) | SUCCESS"), "\(node): \(ping.output)")
        }

        try Self.playbook.write(toFile: directory + "/kolla-prechecks.yml", atomically: true, encoding: .utf8)
        let checks = try await runOffThePool("/usr/bin/ansible-playbook", [
            "-i", directory + "/inventory", "-e", "@" + directory + "/globals.yml", directory + "/kolla-prechecks.yml",
        ], environment: environment, timeout: 600)
        #expect(checks.status == 0, "playbook: \(checks.output.suffix(4000)) \(checks.errors)")
        #expect(checks.output.contains("failed=0"))

        // `lab ssh` by the node's name in the plan, as the plan's login user
        // with its key; the exit status is the remote command's.
        let ssh = try await runVMCtl(["lab", "ssh", planPath, "storage", "-c", Daemon.uri, "--",
                                      "sh", "-c", "echo \"$(id -un)@$(hostname)\"; exit 5"], timeout: 300)
        #expect(ssh.status == 5, "lab ssh: \(ssh.output) \(ssh.errors)")
        #expect(ssh.output == "\(CloudImage.user)@storage\n", "lab ssh: \(ssh.output) \(ssh.errors)")

        try await expectNodesReachEachOther(planPath: planPath, plan: plan)
        try await kollaCheckSteps(planPath: planPath, lab: lab)
        try await kollaPrecheckSteps(planPath: planPath, directory: directory, inventory: directory + "/inventory", environment: environment)
        try await checkLabHostKeys(plan: plan, planPath: planPath, inventory: directory + "/inventory", environment: environment)
        try await checkpointSteps(planPath: planPath, directory: directory, nodes: ["controller", "compute", "storage"], environment: environment)

        let removed = try LabRunner(plan: plan).down(keepNetworks: false)
        #expect(removed.contains("domain \(lab)-storage"))
        #expect(try scope.connection.domains().filter { $0.name.hasPrefix(lab) }.isEmpty)
        // Nothing of the lab is left on the second host, nor a tunnel port here.
        #expect(try Connection(uri: host2.socketURI).domains().filter { $0.name.hasPrefix(lab) }.isEmpty)
        for segment in SpannedSegment.segments(of: plan) {
            #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/\(segment.vxlan.rawValue)"), "\(segment.vxlan) is left")
        }
    }

    /// kolla across the two hosts as on one: one VIP, on the spanned management
    /// subnet, outside its DHCP range, neither the gateway nor any node's
    /// address; the compute node in [compute] at its lease from the home host.
    func expectKollaAcrossHosts(plan: LabPlan, mgmt: String, inventory: String, globals: String) throws {
        let status = try LabRunner(plan: plan).status()
        #expect(status.nodes.first { $0.name == Self.awayNode }?.host == "host2")
        let vips = globals.split(separator: "\n").filter { $0.hasPrefix("kolla_internal_vip_address: ") }
        try #require(vips.count == 1, "\(globals)")
        let vip = vips[0].dropFirst("kolla_internal_vip_address: ".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        let used = status.nodes.flatMap { $0.interfaces.compactMap(\.address) }
        #expect(vip.hasPrefix("\(mgmt).") && vip != "\(mgmt).1" && !used.contains(vip), "VIP \(vip); node addresses \(used)")
        let range = try #require(status.networks.first { $0.name == "mgmt" }?.dhcpRange).split(separator: "-")
        let last = { (address: Substring) in Int(address.split(separator: ".").last ?? "") ?? -1 }
        let octet = last(Substring(vip))
        #expect(range.count == 2 && (octet < last(range[0]) || octet > last(range[1])), "VIP \(vip) in the DHCP range \(range)")
        let away = try #require(status.nodes.first { $0.name == Self.awayNode }?.interfaces.first?.address)
        #expect(away.hasPrefix("\(mgmt)."))
        #expect(inventory.contains("[compute]\n\(Self.awayNode) ansible_host=\(away) "), "\(inventory)")
        #expect(inventory.contains("[control]\ncontroller ansible_host=\(mgmt).10 "), "\(inventory)")
    }

    /// Across the two hosts, from inside the guests, over the spanned
    /// management network: controller (this machine) and compute (the
    /// stand-in) each ping the other and reach the other's sshd, whose host
    /// key (ssh-keyscan, from inside the guest) is the one vmctl recorded for
    /// that node, so the answer came from that node and not from another.
    func expectNodesReachEachOther(planPath: String, plan: LabPlan) async throws {
        let status = try LabRunner(plan: plan).status()
        for (from, to) in [("controller", Self.awayNode), (Self.awayNode, "controller")] {
            let target = try #require(status.nodes.first { $0.name == to }?.interfaces.first?.address, "\(to) has no address")
            let recorded = try KnownHost.of(domain: "\(lab)-\(to)", lab: lab).keys()
            let run = try await runVMCtl(["lab", "ssh", planPath, from, "-c", Daemon.uri, "--", "sh", "-ec",
                                          "ping -c 2 -W 5 \(target) >/dev/null; ssh-keyscan -T 30 -t ed25519 \(target) 2>/dev/null"],
                                         timeout: 300)
            #expect(run.status == 0, "\(from) to \(to) at \(target): \(run.output) \(run.errors)")
            let scanned = run.output.split(separator: "\n").map { $0.split(separator: " ") }.filter { $0.count >= 3 && $0[0] == target }
                .map { "\($0[1]) \($0[2])" }
            #expect(!scanned.isEmpty && scanned.allSatisfy(recorded.contains),
                    "\(from) reached \(target)'s sshd with \(scanned); recorded for \(to): \(recorded)")
        }
    }

    static let playbook = """
        - hosts: control:network:compute:storage
          gather_facts: true
          tasks:
            - name: network_interface exists and carries the management address
              assert:
                that:
                  - network_interface in ansible_facts.interfaces
                  - ansible_facts[network_interface].ipv4.address == ansible_host
            - name: neutron_external_interface exists, up, with no IPv4 address
              assert:
                that:
                  - neutron_external_interface in ansible_facts.interfaces
                  - ansible_facts[neutron_external_interface].active
                  - ansible_facts[neutron_external_interface].ipv4 is not defined
            - name: the host name is the node's name
              assert:
                that:
                  - ansible_facts.hostname == inventory_hostname
            - name: both NICs have the spanned networks' MTU (the underlay's 1500 less VXLAN's 50)
              assert:
                that:
                  - ansible_facts[network_interface].mtu == 1450
                  - ansible_facts[neutron_external_interface].mtu == 1450
        - hosts: storage
          gather_facts: false
          tasks:
            - name: cinder-volumes exists on the storage node
              command: vgs cinder-volumes
              changed_when: false

        """
}
