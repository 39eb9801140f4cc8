import Foundation
import Libvirt
import LibvirtXML
import Testing
import VMCtlKit

/// The spanning lab of IntegrationSpannedNetworkTests with host2 reached as a
/// real remote host is: by `qemu+ssh://` to an sshd that runs inside the
/// stand-in's namespaces on its end of the wire (Scripts/second-libvirtd.sh
/// sshd), so libvirt's connection and vmctl's channel to host2's kernel
/// (`.ssh`, implied by the URI) both go over that SSH, with the stand-in's
/// own key and known_hosts, checked strictly. Its own lab, stand-in, wire
/// (10.251.25.0/30) and subnets, so it runs beside the other spanning suites.
@Suite(.enabled(if: Daemon.enabled), .serialized) struct IntegrationSpannedNetworkSSHTests: SpanningLabBed {
    let lab = "vmctl-test-h23s-span"
    let standIn = "vmctl-test-h23s-host2"
    let wireNet: String? = "10.251.25.0"
    let overSSH = true
    /// Scripts/second-libvirtd.sh's default VMCTL_HOST_SSHD_PORT.
    let port = 2222

    /// Sessions the stand-in's sshd has started so far (its log, LogLevel VERBOSE; sshd ends its lines with CR LF).
    func sshSessions() -> Int {
        let log = (try? String(contentsOfFile: "\(standInDirectory)/log/sshd.log", encoding: .utf8)) ?? ""
        return log.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("Starting session: command for root from ") }.count
    }

    @Test func theSpannedLabGoesOverSSHToHost2() async throws {
        let scope = try TestScope("h23s")
        defer { scope.clean() }
        defer { _ = try? hostScript(["purge", standIn]) }
        let bed = try bed(scope)
        defer { _ = try? LabRunner(plan: bed.plan).down(keepNetworks: false) }
        let sshDirectory = "\(standInDirectory)/ssh"

        // The URI implies the channel: user, host, port, key and known_hosts from the URI, no stand_in.
        #expect(bed.uri.hasPrefix("qemu+ssh://root@\(bed.peerAddress):\(port)/system?"))
        let channel = HostChannel.ssh(user: "root", host: bed.peerAddress, port: port, keyFile: "\(sshDirectory)/client_key",
                                      knownHosts: "\(sshDirectory)/known_hosts")
        #expect(bed.plan.span?.hosts["host2"]?.channel == channel)
        // libvirt's own connection over the same SSH reaches the stand-in's daemon, not this machine's.
        let second = try Connection(uri: bed.uri)
        #expect(try second.hostname() == standIn)

        // lab validate: every kernel command on host2 goes through ssh, on this machine through a process.
        let validated = try await runVMCtl(["lab", "validate", bed.path, "--connect", Daemon.uri], timeout: 300)
        #expect(validated.status == 0, "\(validated.errors)")
        let lines = validated.output.split(separator: "\n").map(String.init)
        let host2Kernel = lines.filter { $0.hasPrefix("lab up would: host2: kernel: ") }
        #expect(host2Kernel.count == 12, "\(lines)")
        #expect(host2Kernel.allSatisfy { $0.hasSuffix(" (through ssh root@\(bed.peerAddress):\(port))") }, "\(host2Kernel)")
        #expect(lines.filter { $0.hasPrefix("lab up would: local: kernel: ") }.allSatisfy { $0.hasSuffix(" (through process)") })
        for segment in SpannedSegment.segments(of: bed.plan) {
            let add = KernelCommand.addVXLAN(segment.vxlan, vni: segment.vni, port: segment.port, local: try IPAddress(bed.peerAddress),
                                             device: try KernelLinkName(bed.peerDevice))
            #expect(host2Kernel.contains { $0.contains(": kernel: ip link add \(segment.bridge) type bridge (") }, "\(host2Kernel)")
            #expect(host2Kernel.contains { $0.contains(": kernel: \(add.description) (") }, "\(host2Kernel)")
        }

        // lab up: host2's kernel commands are ssh sessions in the stand-in's sshd (each command one session).
        let before = sshSessions()
        let result = try await Library.offload { try timedUp(bed, channel: "ssh") }
        #expect(result.status.nodes.map { $0.managementAddress } == ["\(bed.mgmt).10", "\(bed.mgmt).11"])
        #expect(sshSessions() - before >= host2Kernel.count, "sessions before \(before), after \(sshSessions())")
        // The bridges and VXLAN ports are in the stand-in's namespace (read there through its namespaces, not ssh).
        try expectTunnels(bed)
        let second2 = try Connection(uri: bed.socketURI)
        for name in ["mgmt", "prov"] {
            #expect(try second2.network(named: "\(lab)-\(name)").isActive())
        }
        expectPings(bed)

        // A rerun has nothing to do, on either host's kernel either.
        #expect(try LabRunner(plan: bed.plan).planChanges().steps.isEmpty)

        // lab down removes the six links (two bridges on host2, four VXLAN ports) and the four networks, over the same channels.
        let beforeDown = sshSessions()
        let removed = try await Library.offload { try LabRunner(plan: bed.plan).down(keepNetworks: false) }
        #expect(removed.filter { $0.contains("host2: kernel link") }.count == 4, "\(removed)")
        #expect(removed.filter { $0.contains("kernel link") }.count == 6, "\(removed)")
        #expect(sshSessions() - beforeDown >= 4)
        try expectNothingLeft(bed, scope)
    }

    /// A host key that is not the one in the URI's known_hosts: lab validate
    /// and lab up refuse with one line, before anything is made on either host.
    @Test func aChangedHostKeyIsRefusedBeforeAnyChange() async throws {
        let scope = try TestScope("h23s")
        defer { scope.clean() }
        defer { _ = try? hostScript(["purge", standIn]) }
        let bed = try bed(scope)
        defer { _ = try? LabRunner(plan: bed.plan).down(keepNetworks: false) }
        let knownHosts = "\(standInDirectory)/ssh/known_hosts"
        let recorded = try String(contentsOfFile: knownHosts, encoding: .utf8)

        // Another key for the same [address]:port, as after a reinstalled (or impersonated) host.
        let keyDirectory = Daemon.runDirectory.appendingPathComponent(scope.name("otherkey")).path
        try FileManager.default.createDirectory(atPath: keyDirectory, withIntermediateDirectories: true)
        let made = try run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", "\(keyDirectory)/key"])
        try #require(made.status == 0, "\(made.errors)")
        let other = try String(contentsOfFile: "\(keyDirectory)/key.pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let entry = try #require(recorded.split(separator: " ").first.map(String.init))
        #expect(entry == "[\(bed.peerAddress)]:\(port)")
        try "\(entry) \(other)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)

        for verb in ["validate", "up"] {
            let refused = try await runVMCtl(["lab", verb, bed.path, "--connect", Daemon.uri], timeout: 300)
            print("lab \(verb) with a changed host key: status \(refused.status): \(refused.errors.trimmingCharacters(in: .whitespacesAndNewlines))")
            #expect(refused.status != 0, "lab \(verb): \(refused.output)")
            let lines = refused.errors.split(separator: "\n").filter { !$0.isEmpty }
            #expect(lines.count == 1, "lab \(verb): \(refused.errors)")
            #expect(refused.errors.contains("host2: ssh root@\(bed.peerAddress):\(port): its host key is not the one in \(knownHosts)"),
                    "lab \(verb): \(refused.errors)")
        }
        // Nothing was made: no link, network, domain or pool of the lab on either host (host2 keeps the pool
        // the bed made, with the uploaded image, and only that).
        try expectNothingLeft(bed, scope)
        let second = try Connection(uri: bed.socketURI)
        #expect(try scope.connection.storagePools().map(\.name).filter { $0.hasPrefix(scope.prefix) }.isEmpty)
        #expect(try second.storagePools().map(\.name).filter { $0.hasPrefix(scope.prefix) } == [scope.name("pool")])
        #expect(try second.storagePool(named: scope.name("pool")).volumes().map(\.name) == ["base.qcow2"])

        // With the recorded key back, the same plan validates: the key was the only reason.
        try recorded.write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let validated = try await runVMCtl(["lab", "validate", bed.path, "--connect", Daemon.uri], timeout: 300)
        #expect(validated.status == 0, "\(validated.errors)")
    }

    /// `lab up` killed inside host2's kernel work over ssh; each rerun converges over the same
    /// channel and `lab down` removes everything on both hosts. Progress steps here: the bring-up
    /// rule and 2 domain-type warnings (1-3); host2's bridges (4-7: a kill at 4 leaves the first
    /// recorded in the lab's state, not made), networks (8-11), VXLAN ports (from 12: a kill at 13
    /// leaves the first made, not yet flooding or attached). host2 has no pool or import steps:
    /// the bed made its pool and image there.
    @Test func killedLabUpOverSSHConverges() async throws {
        let scope = try TestScope("h23s")
        defer { scope.clean() }
        defer { _ = try? hostScript(["purge", standIn]) }
        let bed = try bed(scope)
        defer { _ = try? LabRunner(plan: bed.plan).down(keepNetworks: false) }
        for killAt in [4, 13] {
            var environment = ProcessInfo.processInfo.environment
            environment["VMCTL_FAULT_KILL_AT"] = String(killAt)
            let killed = try await runOffThePool(vmctlBinary(), ["lab", "up", bed.path, "--connect", Daemon.uri],
                                                 environment: environment, timeout: 300)
            #expect(killed.status == 137, "killAt \(killAt): \(killed.status) \(killed.errors)")
            #expect(killed.errors.contains("fault seam: killed at step \(killAt)"), "\(killed.errors)")
            let made = killed.errors.split(separator: "\n").filter { $0.hasPrefix("vmctl: host2: ip link add ") }
            #expect(made.count == (killAt == 4 ? 0 : 3), "killAt \(killAt): \(killed.errors)")
            let result = try await Library.offload { try LabRunner(plan: bed.plan).up() }
            #expect(result.status.nodes.map { $0.interfaces.first?.address } == ["\(bed.mgmt).10", "\(bed.mgmt).11"], "after a kill at \(killAt)")
            #expect(try LabRunner(plan: bed.plan).planChanges().steps.isEmpty, "after a kill at \(killAt)")
            _ = try await Library.offload { try LabRunner(plan: bed.plan).down(keepNetworks: false) }
            try expectNothingLeft(bed, scope)
            try? FileManager.default.removeItem(atPath: bed.serial)
        }
    }
}
