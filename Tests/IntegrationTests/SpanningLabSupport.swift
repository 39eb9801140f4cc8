import Foundation
import Libvirt
import Testing
import VMCtlKit

/// What the spanning-lab suites share: the stand-in second host
/// (Scripts/second-libvirtd.sh) with its veth wire, the busybox test guest
/// built from this tree, a two-node lab with node `a` here and node `b` on
/// the stand-in, and the checks of both hosts' links and networks. Each
/// suite has its own lab, stand-in and wire, so they run side by side.
protocol SpanningLabBed {
    /// The lab's name (a `vmctl-test-…` prefix of the suite's own).
    var lab: String { get }
    /// The stand-in host's NAME.
    var standIn: String { get }
    /// The wire's /30 (`VMCTL_WIRE_NET`), nil for the script's default.
    var wireNet: String? { get }
    /// Whether host2 is reached by the stand-in's sshd (`qemu+ssh://`, channel `.ssh`)
    /// instead of its socket (`qemu+unix://`, channel `.standIn` from `stand_in:`).
    var overSSH: Bool { get }
}

/// A spanning lab's plan and the facts of its two hosts.
struct SpanBed {
    var plan: LabPlan
    var path: String
    var mgmt: String
    var prov: String
    /// The plan's URI of host2.
    var uri: String
    /// The stand-in's own socket, for the tests' checks (whatever the plan's URI).
    var socketURI: String
    var hostAddress: String
    var peerAddress: String
    var hostDevice: String
    var peerDevice: String
    var serial: String
}

extension SpanningLabBed {
    typealias Bed = SpanBed

    /// The stand-in's state directory (Scripts/second-libvirtd.sh's default VMCTL_HOSTS_DIR).
    var standInDirectory: String { "/var/lib/vmctl/hosts/\(standIn)" }

    /// Scripts/second-libvirtd.sh with this suite's wire net.
    func hostScript(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try StandInHost(name: standIn, wireNet: wireNet).script(arguments)
    }

    /// The stand-in host with its wire (and its sshd when `overSSH`), fresh:
    /// the plan's URI of it, and how it was started.
    func secondHost() throws -> (uri: String, started: StandInHost.Started) {
        let host = StandInHost(name: standIn, wireNet: wireNet)
        let started = try host.start()
        guard overSSH else { return (started.socketURI, started) }
        let sshd = try host.script(["sshd", standIn])
        try #require(sshd.status == 0, "no sshd in the stand-in: \(sshd.errors)")
        return (try #require(sshd.output.split(separator: "\n").last.map(String.init)), started)
    }

    /// The test guest from this tree's Scripts/test-guest (with `vmctl.ping`), built beside the scope's files.
    func guestImage(_ scope: TestScope) throws -> String {
        let directory = Daemon.runDirectory.appendingPathComponent(scope.name("image")).path
        let built = try run(Fixture.repository.appendingPathComponent("Scripts/build-test-image.sh").path, [directory])
        try #require(built.status == 0, "test image: \(built.errors)")
        return directory
    }

    func bed(_ scope: TestScope) throws -> Bed {
        let (uri, host) = try secondHost()
        let image = try guestImage(scope)
        let mgmt = try scope.freeSubnet()
        let prov = try scope.freeSubnet()
        let serial = Daemon.runDirectory.appendingPathComponent(scope.name("serial")).path
        let pool = Daemon.runDirectory.appendingPathComponent(scope.name("pool")).path
        if overSSH {
            // A remote host gets no imports from a path here (its files are its own): the image is
            // uploaded there first, as a person would, with vmctl over the same qemu+ssh URI
            // (virStorageVolUpload through the SSH); lab up then finds it in host2's pool.
            let remotePool = Daemon.runDirectory.appendingPathComponent(scope.name("pool-host2")).path
            for arguments in [["pool", "create", scope.name("pool"), "--type", "dir", "--target", remotePool],
                              ["vol", "import", scope.name("pool"), "\(image)/base.qcow2", "--name", "base.qcow2"]] {
                let made = try ChildProcess.run(vmctlBinary(), arguments + ["--connect", uri, "-q"], timeout: 300)
                try #require(made.status == 0, "vmctl \(arguments.prefix(2).joined(separator: " ")) on host2: \(made.errors)")
            }
        }
        // Over SSH, the channel to host2's kernel is the one its URI implies; otherwise stand_in names it.
        let host2 = "{address: \(host.peerAddress), device: \(host.peerDevice)\(overSSH ? "" : ", stand_in: \(standIn)")}"
        // a pings b on both networks; b pings a on both, and through its
        // default route (the home host's NAT network) this machine's end of
        // the wire, and the wire's far end: the stand-in host has no route
        // to the lab's subnet, so only a masqueraded echo gets an answer.
        let text = """
            lab: \(lab)
            workers: 2
            wait: address
            address_timeout: 180
            serial_dir: \(serial)
            hosts:
              host2: "\(uri)"
            span:
              hosts:
                local: {address: \(host.hostAddress), device: \(host.hostDevice)}
                host2: \(host2)
            pools:
              - name: \(scope.name("pool"))
                target: \(pool)
            images:
              - name: base.qcow2
                pool: \(scope.name("pool"))
                path: \(image)/base.qcow2
            networks:
              - name: mgmt
                mode: nat
                subnet: \(mgmt).0/24
              - name: prov
                mode: isolated
                subnet: \(prov).0/24
            defaults:
              image: base.qcow2
              memory: 160M
              kernel: \(image)/vmlinuz
              initrd: \(image)/initrd.img
            nodes:
              - name: a
                roles: [control, network]
                cmdline: console=ttyS0 quiet vmctl.ping=\(mgmt).11,\(prov).11
                networks: [{name: mgmt, ip: \(mgmt).10}, {name: prov, ip: \(prov).10}]
              - name: b
                roles: [compute]
                host: host2
                cmdline: console=ttyS0 quiet vmctl.ping=\(mgmt).10,\(prov).10,\(host.hostAddress),\(host.peerAddress)
                networks: [{name: mgmt, ip: \(mgmt).11}, {name: prov, ip: \(prov).11}]
            """
        let path = Daemon.runDirectory.appendingPathComponent(scope.name("plan.yaml")).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return Bed(plan: try LabPlan.parse(text, file: path, defaultURI: Daemon.uri), path: path, mgmt: mgmt, prov: prov, uri: uri,
                   socketURI: host.socketURI, hostAddress: host.hostAddress, peerAddress: host.peerAddress, hostDevice: host.hostDevice,
                   peerDevice: host.peerDevice, serial: serial)
    }

    /// The links of `names` on this machine or inside the stand-in (through its namespaces, not the lab's channel).
    func links(_ names: [String], inStandIn: Bool) throws -> [KernelLink] {
        let arguments = ["-d", "-j", "link", "show"]
        let result = inStandIn ? try hostScript(["exec", standIn, "/sbin/ip"] + arguments) : try run("/sbin/ip", arguments)
        try #require(result.status == 0, "\(result.errors)")
        return try KernelLink.parse(result.output).filter { names.contains($0.name) }
    }

    /// Waits (bounded) until the serial log has every line in `lines`, or a `VMCTL-PING: … fail`.
    func waitForLines(_ lines: [String], in log: String, seconds: Double) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var text = ""
        while Date() < deadline {
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if lines.allSatisfy(text.contains) || text.contains(" fail") { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return lines.filter { !text.contains($0) }
    }

    /// No bridge, VXLAN port, network, domain or pool of the lab on either host.
    func expectNothingLeft(_ bed: Bed, _ scope: TestScope) throws {
        let names = SpannedSegment.segments(of: bed.plan).flatMap { [$0.bridge.rawValue, $0.vxlan.rawValue] }
        #expect(names.count == 4)
        #expect(try links(names, inStandIn: false).isEmpty)
        #expect(try links(names, inStandIn: true).isEmpty)
        let second = try Connection(uri: bed.socketURI)
        #expect(try scope.connection.networks().map(\.name).filter { $0.hasPrefix(lab) }.isEmpty)
        #expect(try second.networks().map(\.name).filter { $0.hasPrefix(lab) }.isEmpty)
        #expect(try scope.connection.domains().map(\.name).filter { $0.hasPrefix(lab) }.isEmpty)
        #expect(try second.domains().map(\.name).filter { $0.hasPrefix(lab) }.isEmpty)
    }

    /// The VXLAN port and bridge of every segment on both hosts: the plan's VNI and port, on the wire only.
    func expectTunnels(_ bed: Bed) throws {
        for segment in SpannedSegment.segments(of: bed.plan) {
            for (inStandIn, device) in [(false, bed.hostDevice), (true, bed.peerDevice)] {
                let found = try links([segment.vxlan.rawValue, segment.bridge.rawValue], inStandIn: inStandIn)
                let vxlan = try #require(found.first { $0.name == segment.vxlan.rawValue }, "\(segment.vxlan) on \(inStandIn ? "host2" : "local")")
                #expect(vxlan.kind == "vxlan" && vxlan.vni == segment.vni && vxlan.port == segment.port)
                #expect(vxlan.underlay == device && vxlan.master == segment.bridge.rawValue && vxlan.up)
                #expect(found.first { $0.name == segment.bridge.rawValue }?.kind == "bridge")
            }
        }
    }

    /// Each node reaches the other on both networks; b reaches this machine through the home host's NAT network.
    func expectPings(_ bed: Bed) {
        let aLog = "\(bed.serial)/a.log"
        let bLog = "\(bed.serial)/b.log"
        let missingA = waitForLines(["VMCTL-PING: \(bed.mgmt).11 ok", "VMCTL-PING: \(bed.prov).11 ok"], in: aLog, seconds: 150)
        #expect(missingA.isEmpty, "a: \(missingA); log: \((try? String(contentsOfFile: aLog, encoding: .utf8)) ?? "")")
        let missingB = waitForLines(["VMCTL-PING: \(bed.mgmt).10 ok", "VMCTL-PING: \(bed.prov).10 ok", "VMCTL-PING: \(bed.hostAddress) ok",
                                     "VMCTL-PING: \(bed.peerAddress) ok"], in: bLog, seconds: 150)
        #expect(missingB.isEmpty, "b: \(missingB); log: \((try? String(contentsOfFile: bLog, encoding: .utf8)) ?? "")")
    }

    /// `lab up` of the bed, with its wall time on stdout (a measurement for Docs/multi-host.md, never asserted).
    func timedUp(_ bed: Bed, channel: String) throws -> LabUpResult {
        let started = Date()
        let result = try LabRunner(plan: bed.plan).up()
        print("spanned lab up (host2 through \(channel)): \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        return result
    }
}

/// The stand-in second host (Scripts/second-libvirtd.sh, its libvirtd in
/// namespaces of its own) and its veth wire to this machine: one per suite
/// or lab, named, with a wire /30 of its own.
struct StandInHost {
    /// The stand-in's NAME.
    var name: String
    /// The wire's /30 (`VMCTL_WIRE_NET`), nil for the script's default.
    var wireNet: String?

    /// What `start` made.
    struct Started {
        /// The stand-in libvirtd's own socket (`qemu+unix://…`).
        var socketURI: String
        /// This machine's end of the wire, and its address.
        var hostDevice: String
        var hostAddress: String
        /// The stand-in's end of the wire, and its address.
        var peerDevice: String
        var peerAddress: String
    }

    /// Scripts/second-libvirtd.sh with this wire net.
    func script(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        var environment = ProcessInfo.processInfo.environment
        if let wireNet { environment["VMCTL_WIRE_NET"] = wireNet }
        let path = Fixture.repository.appendingPathComponent("Scripts/second-libvirtd.sh").path
        let result = try ChildProcess.run(path, arguments, environment: environment, timeout: 180)
        return (result.status, result.output, result.errors)
    }

    /// The stand-in, fresh (what a killed run left is purged), with its wire.
    func start() throws -> Started {
        try #require(name.wholeMatch(of: /[A-Za-z0-9_-]{1,32}/) != nil, "stand-in name \(name): too long or has other characters")
        _ = try script(["purge", name])
        let started = try script(["start", name])
        try #require(started.status == 0, "second libvirtd did not start: \(started.errors)")
        let socketURI = try #require(started.output.split(separator: "\n").last.map(String.init))
        let wire = try script(["wire", name])
        try #require(wire.status == 0, "no wire: \(wire.errors)")
        let words = wire.output.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(words.count == 4, "wire: \(wire.output)")
        return Started(socketURI: socketURI, hostDevice: words[0], hostAddress: words[1], peerDevice: words[2], peerAddress: words[3])
    }

    /// The wire and the stand-in (its daemons, guests and state) gone.
    func stop() {
        _ = try? script(["unwire", name])
        _ = try? script(["purge", name])
    }
}
