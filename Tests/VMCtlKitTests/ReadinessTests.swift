import Foundation
import Testing
import LibvirtXML
@testable import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

/// Readiness's parsers and probes, on strings and on loopback.
@Suite struct ReadinessTests {
    @Test func stagesAreOrderedAndWaitNamesAreChecked() throws {
        #expect(ReadinessStage.allCases.map(\.rawValue) == ["defined", "booted", "address", "ssh", "cloud-init"])
        #expect(ReadinessStage.address < .ssh && .ssh < .cloudInit)
        #expect(try ReadinessStage.waitTarget("none") == nil)
        #expect(try ReadinessStage.waitTarget("cloud-init") == .cloudInit)
        for bad in ["booted", "defined", "ready", ""] {
            let error = #expect(throws: VMCtlError.self) { try ReadinessStage.waitTarget(bad) }
            #expect(error?.message == "--wait: \"\(bad)\" is not allowed: none, address, ssh or cloud-init")
            #expect(error?.status == .usage)
        }
    }

    @Test func resultJSONNamesTheFailingModule() {
        #expect(CloudInitResultParser.parse(#"{"v1": {"datasource": "DataSourceNoCloud", "errors": []}}"#) == [])
        let failed = #"{"v1": {"errors": ["('scripts_user', RuntimeError('Runparts: 1 failures (part-001) in 1 attempted commands'))"]}}"#
        #expect(CloudInitResultParser.parse(failed) == [
            "module scripts_user: RuntimeError('Runparts: 1 failures (part-001) in 1 attempted commands')",
        ])
        #expect(CloudInitResultParser.parse("") == nil)
        #expect(CloudInitResultParser.parse("cat: /run/cloud-init/result.json: No such file") == nil)
        #expect(CloudInitResultParser.parse(#"{"v2": {}}"#) == nil)
    }

    @Test func consoleFinalLineMeansFinished() {
        #expect(CloudInitResultParser.parseConsole("[  20.1] cloud-init[300]: Cloud-init v. 22.4.2 running 'modules:final'") == nil)
        let done = """
            [  40.0] cloud-init[400]: 2026-12-01 09:00:00,000 - util.py[WARNING]: Running module scripts_user (<module>) failed
            [  41.2] cloud-init[400]: Cloud-init v. 22.4.2 finished at Tue, 01 Dec 2026 09:09:59 +0000. Datasource DataSourceNoCloud.  Up 41.1 seconds
            """
        #expect(CloudInitResultParser.parseConsole(done) == ["module scripts_user: failed (from the serial log)"])
        #expect(CloudInitResultParser.parseConsole("Cloud-init v. 22.4.2 finished at Tue. Up 9 seconds") == [])
    }

    /// The end of the serial log of CI's lab node whose kernel panicked under load.
    static let panicLog = """
        [    0.092000] ..TIMER: vector=0x30 apic1=0 pin1=2 apic2=-1 pin2=-1
        [    0.096000] Kernel panic - not syncing: IO-APIC + timer doesn't work!  Boot with apic=debug and send a report.  Then try booting with the 'noapic' option.
        [    0.096000] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0-41-cloud-amd64 #1  Debian 6.1.158-1
        [    0.096000] Call Trace:
        [    0.096000]  <TASK>
        [    0.096000]  dump_stack_lvl+0x44/0x5c
        [    0.096000]  </TASK>
        [    0.096000] ---[ end Kernel panic - not syncing: IO-APIC + timer doesn't work!  Boot with apic=debug and send a report.  Then try booting with the 'noapic' option. ]---

        """

    @Test func aLogEndingInAKernelPanicIsAStoppedGuest() {
        #expect(SerialLog.kernelPanic(inTail: Self.panicLog)
            == "Kernel panic - not syncing: IO-APIC + timer doesn't work!  Boot with apic=debug and send a report.  Then try booting with the 'noapic' option. ]---")
        // A panic that rebooted (panic=N) is followed by the next boot's lines.
        #expect(SerialLog.kernelPanic(inTail: Self.panicLog + "[    0.000000] Linux version 6.1.0-41-cloud-amd64\n") == nil)
        #expect(SerialLog.kernelPanic(inTail: "[    1.0] Run /init as init process\n") == nil)
        #expect(SerialLog.kernelPanic(inTail: "") == nil)
    }

    @Test func theLastLineIsTheLastWithAnythingOnIt() {
        #expect(SerialLog.lastLine("[ 1.0] first\n  [ 2.0] udhcpc: lease obtained  \n\n   \r\n") == "[ 2.0] udhcpc: lease obtained")
        #expect(SerialLog.lastLine(" \n\t\n") == nil)
        #expect(SerialLog.lastLine("") == nil)
    }

    /// The wait ends on the panic, not at its deadline: only the panic gives
    /// this note. The management NIC's MAC is one no address is reported for,
    /// so the wait stays at the address stage and probes nothing on the network.
    /// Without the check it would wait an hour; the limit is far below that, and
    /// far above a CI run's wait for a test thread (this test "passed after 281 s").
    @Test(.timeLimit(.minutes(10))) func theWaitStopsAtAPanickedGuest() throws {
        let connection = try Fixture.connection()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-panic-\(getpid()).log").path
        try Self.panicLog.write(toFile: log, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let target = ReadinessTarget(name: "storage", connection: connection, domain: try connection.domain(named: "lab-controller"),
                                     mac: try MACAddress("52:54:00:0f:0f:0f"), serialLog: log)
        let error = #expect(throws: VMCtlError.self) {
            try ReadinessWaiter().wait(for: [target], until: .cloudInit, timeout: 3600)
        }
        #expect(error?.message.hasPrefix("storage: reached booted, not cloud-init, within 3600 s: the guest's kernel panicked: \"Kernel panic - not syncing: IO-APIC") == true)
    }

    @Test func reportSummaryListsTheStagesAfterBoot() {
        let report = ReadinessReport(
            name: "ctl", reached: .cloudInit, address: "10.0.0.5",
            stages: [.init(stage: .defined, seconds: 0), .init(stage: .booted, seconds: 0.2), .init(stage: .address, seconds: 17.9),
                     .init(stage: .ssh, seconds: 31), .init(stage: .cloudInit, seconds: 46.25)],
            cloudInitErrors: [], note: nil)
        #expect(report.summary == "ctl: address 17.9 s, ssh 31.0 s, cloud-init 46.2 s")
        #expect(report.seconds(.ssh) == 31)
    }

    @Test func sshCommandChecksTheKnownHostKeyNeverPromptsAndQuotesTheRemoteCommand() {
        let ssh = SSHCommand(user: "debian", host: "10.0.0.5", hostKeys: .known(KnownHost(file: "/v/labs/l/known_hosts", alias: "l-ctl")),
                             privateKey: "/k/id")
        let arguments = ssh.arguments(remote: ["sh", "-c", "echo 'a b'; exit 3"])
        #expect(Array(arguments.prefix(6)) == [
            "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=/v/labs/l/known_hosts", "-o", "HostKeyAlias=l-ctl",
        ])
        #expect(!arguments.contains("StrictHostKeyChecking=no") && !arguments.contains("UserKnownHostsFile=/dev/null"))
        #expect(arguments.contains("BatchMode=yes"))
        #expect(Array(arguments.suffix(7)) == ["-l", "debian", "10.0.0.5", "--", "sh", "-c", #"'echo '\''a b'\''; exit 3'"#])
        #expect(!ssh.arguments(batch: false).contains("BatchMode=yes"))
        #expect(SSHCommand.shellQuoted("/run/cloud-init/result.json") == "/run/cloud-init/result.json")
        #expect(SSHCommand.shellQuoted("") == "''")
    }

    /// A listener on 127.0.0.1 that sends a banner, one that sends nothing, and a closed port.
    @Test func bannerProbeTellsSSHFromSilenceFromNothing() throws {
        func listener(banner: String?) throws -> (fd: Int32, port: UInt16) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            listen(fd, 4)
            var bound = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            if let banner {
                Thread.detachNewThread {
                    let client = accept(fd, nil, nil)
                    _ = banner.withCString { write(client, $0, strlen($0)) }
                    Thread.sleep(forTimeInterval: 1)
                    close(client)
                }
            }
            return (fd, UInt16(bigEndian: bound.sin_port))
        }
        let ssh = try listener(banner: "SSH-2.0-OpenSSH_9.2\r\n")
        defer { close(ssh.fd) }
        #expect(SSHBanner.probe(host: "127.0.0.1", port: ssh.port, timeout: 2) == .banner)
        let silent = try listener(banner: nil)
        defer { close(silent.fd) }
        #expect(SSHBanner.probe(host: "127.0.0.1", port: silent.port, timeout: 0.3, bannerTimeout: 0.3) == .answering)
        let closed = try listener(banner: nil)
        close(closed.fd)
        #expect(SSHBanner.probe(host: "127.0.0.1", port: closed.port, timeout: 0.3) == .answering, "refused: the address is up")
        #expect(SSHBanner.probe(host: "not an address", timeout: 0.3) == .unreachable)
    }

    @Test func childProcessStopsAtItsDeadline() throws {
        let start = Date()
        let result = try ChildProcess.run("/bin/sleep", ["30"], timeout: 0.5)
        #expect(result.status == 128 + 9)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(try ChildProcess.run("/bin/sh", ["-c", "exit 7"], timeout: 10).status == 7)
    }

    /// A pipe made by `Pipe` (no FD_CLOEXEC) elsewhere in the process must not
    /// reach the child: a child holding it would keep the pipe's reader from EOF.
    @Test func childProcessInheritsNoDescriptorBeyondItsOwnThree() throws {
        let pipe = Pipe()
        let inherited = pipe.fileHandleForWriting.fileDescriptor
        #expect(fcntl(inherited, F_GETFD) & FD_CLOEXEC == 0, "the premise: Pipe's descriptors are inheritable")
        let result = try ChildProcess.run("/bin/sh", ["-c", "if [ -e /proc/self/fd/\(inherited) ]; then echo open; else echo closed; fi"], timeout: 10)
        #expect(result.output == "closed\n")
        let own = try ChildProcess.run("/bin/sh", ["-c", "ls /proc/self/fd"], timeout: 10)
        #expect(own.status == 0, "\(own.errors)")
    }
}

@Suite struct LabPlanGuestFieldTests {
    @Test func disksLoginWaitAndDevicesAreRead() throws {
        let text = """
            lab: demo
            wait: ssh
            ready_timeout: 900
            login: {user: ubuntu}
            networks:
              - {name: mgmt, subnet: 10.9.0.0/24}
              - {name: ext, subnet: 10.8.0.0/24, dhcp: false}
            defaults: {image: base.qcow2, disks: [5G]}
            nodes:
              - {name: ctl, networks: [{name: mgmt, device: ens3}, {name: ext, device: ens4}]}
              - {name: st, disks: [{size: 20G, vg: cinder-volumes}, 1G], networks: [mgmt]}
            """
        let plan = try LabPlan.parse(text, defaultURI: "qemu:///system")
        #expect(plan.wait == .ssh && plan.addressTimeout == 900)
        #expect(plan.login == LabLogin(user: "ubuntu"))
        #expect(plan.nodes[0].disks.map(\.size.bytes) == [5 << 30])
        #expect(plan.nodes[1].disks == [DataDiskSpec(size: .init(bytes: 20 << 30), volumeGroup: "cinder-volumes"),
                                        DataDiskSpec(size: .init(bytes: 1 << 30))])
        #expect(plan.nodes[0].networks.map(\.device) == ["ens3", "ens4"])
        let defaults = try LabPlan.parse("lab: d\nnodes: [{name: a, image: i}]\n", defaultURI: "qemu:///system")
        #expect(defaults.wait == .cloudInit && defaults.addressTimeout == 600 && defaults.login == LabLogin(user: "debian"))
    }

    @Test func badGuestFieldsAreEachNamedWithTheirLine() throws {
        let text = """
            lab: demo
            wait: soon
            login: {user: Root, private_key: /nonexistent/key}
            networks:
              - {name: mgmt, subnet: 10.9.0.0/24}
            nodes:
              - name: a
                image: i
                disks: [{size: 10G, vg: -bad}, {vg: x}, 0]
                networks: [{name: mgmt, device: "eth0; rm -rf /"}, {name: mgmt, device: eth1}, {name: mgmt, device: eth1}]
            """
        let error = #expect(throws: PlanError.self) { try LabPlan.parse(text, file: "p", defaultURI: "qemu:///system") }
        let lines = error?.description.split(separator: "\n").map(String.init) ?? []
        for expected in [
            "p:2: wait: \"soon\" is not allowed: none, address, ssh or cloud-init",
            "p:3: login.user: \"Root\" is not allowed",
            "p:3: login.private_key: '/nonexistent/key' is not a readable file",
            "p:9: nodes[0].disks[0].vg: \"-bad\" is not allowed: \(DataDiskSpec.volumeGroupRule)",
            "p:9: nodes[0].disks[1].size: is required, such as 20G",
            "p:9: nodes[0].disks[2]: \"0\" is not allowed: at least 1 MiB",
            "p:10: nodes[0].networks[0].device: \"eth0; rm -rf /\" is not allowed: \(NetworkSpec.deviceRule)",
            "p:10: nodes[0].networks[2].device: \"eth1\" is used by another NIC of this node",
        ] {
            #expect(lines.contains { $0.hasPrefix(expected) }, "missing \(expected) in \(lines)")
        }
    }

    @Test func ensNamesMapToTheirPCISlot() {
        #expect(NetworkSpec.pciSlot(forDevice: "ens3") == 3)
        #expect(NetworkSpec.pciSlot(forDevice: "ens31") == 31)
        for other in ["ens2", "ens32", "ens03", "eth0", "ens", "ens3a", "enp1s0"] {
            #expect(NetworkSpec.pciSlot(forDevice: other) == nil, "\(other)")
        }
    }
}
