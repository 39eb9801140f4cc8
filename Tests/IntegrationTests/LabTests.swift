import Foundation
import Libvirt
import LibvirtXML
import Testing
import VMCtlKit

/// `vmctl lab` on the real libvirtd with the test guest: a parallel four-node
/// lab, an idempotent rerun, convergence after the process is killed, and a
/// teardown that leaves nothing of the lab behind.
@Suite(.enabled(if: Daemon.enabled), .serialized) struct IntegrationLabTests {
    let lab = "vmctl-test-lab"

    func planText(subnet: String) -> String {
        let image = Daemon.image.path
        let pool = Daemon.runDirectory.appendingPathComponent("\(lab)-pool").path
        return """
            lab: \(lab)
            workers: 4
            address_timeout: 120
            wait: address
            serial_dir: \(Daemon.runDirectory.path)/\(lab)-serial
            pools:
              - name: \(lab)-pool
                target: \(pool)
            images:
              - name: base.qcow2
                pool: \(lab)-pool
                path: \(image)/base.qcow2
            networks:
              - name: mgmt
                mode: nat
                subnet: \(subnet).0/24
            defaults:
              image: base.qcow2
              memory: 160M
              kernel: \(image)/vmlinuz
              initrd: \(image)/initrd.img
              cmdline: console=ttyS0 quiet no_timer_check
              cloud_init:
                ntp_servers: [ntp.example.org]
            nodes:
              - name: controller
                roles: [control]
                networks:
                  - name: mgmt
                    ip: \(subnet).10
              - name: compute
                count: 2
                roles: [compute]
                networks: [mgmt]
              - name: storage
                roles: [storage]
                networks: [mgmt]
            """
    }

    func writePlan(_ scope: TestScope) throws -> (path: String, plan: LabPlan) {
        let text = planText(subnet: try scope.freeSubnet())
        let path = Daemon.runDirectory.appendingPathComponent("\(lab)-plan.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, try LabPlan.parse(text, file: path, defaultURI: Daemon.uri))
    }

    func leftovers(_ connection: Connection) throws -> [String] {
        try connection.domains().map(\.name).filter { $0.hasPrefix(lab) }
            + connection.networks().map(\.name).filter { $0.hasPrefix(lab) }
            + ((try? connection.storagePool(named: "\(lab)-pool").volumes().map(\.name)) ?? []).filter { $0 != "base.qcow2" }
    }

    @Test func upInParallelRerunChangesNothingDownLeavesNothing() async throws {
        let scope = try TestScope("lab")
        defer { scope.clean() }
        let (_, plan) = try writePlan(scope)
        #expect(plan.nodes.map(\.name) == ["controller", "compute1", "compute2", "storage"])

        let first = try LabRunner(plan: plan).up()
        #expect(first.changes.contains("controller: created and started"))
        #expect(first.status.nodes.count == 4)
        for node in first.status.nodes {
            #expect(node.state == "running")
            #expect(node.managementAddress != nil, "\(node.name) has no address")
        }
        // The reserved address was known before boot and is the one the guest got.
        let controller = try #require(first.status.nodes.first { $0.name == "controller" })
        #expect(controller.managementAddress == plan.nodes[0].networks[0].ip)
        let network = try scope.connection.network(named: "\(lab)-mgmt")
        #expect(try waitUntil(seconds: 60) {
            try network.dhcpLeases().contains { $0.ipAddress == controller.managementAddress && $0.mac == controller.interfaces[0].mac }
        }, "the controller did not lease its reserved address")
        // Every node carries the lab's name in vmctl's metadata.
        for node in plan.nodes {
            let metadata = try scope.connection.domain(named: plan.objectName(node.name))
                .metadata(namespaceURI: VMMetadata.namespaceURI)
            #expect(try VMMetadata(getMetadataFragment: metadata).lab?.rawValue == lab)
        }

        // A second run makes no libvirt change: no lifecycle event at all.
        let events = try scope.connection.domainEvents()
        let second = try LabRunner(plan: plan).up()
        #expect(second.changes.isEmpty, "rerun changed: \(second.changes)")
        #expect(second.drift.isEmpty)
        _ = try scope.connection.defineDomain(xml: try DomainDefinition(
            type: .qemu, name: ObjectName("vmctl-test-lab-sentinel"), memory: .mib(64)).xml())
        // Other suites run their own guests meanwhile: only this lab's domains count.
        var seen: [String] = []
        for await event in events where event.domainName.hasPrefix(lab) {
            seen.append(event.domainName)
            if event.domainName == "vmctl-test-lab-sentinel" { break }
        }
        #expect(seen == ["vmctl-test-lab-sentinel"], "the rerun touched: \(seen)")
        try scope.connection.domain(named: "vmctl-test-lab-sentinel").undefine()

        // A paused node (what a daemon killed while starting it leaves) is resumed.
        let paused = try scope.connection.domain(named: plan.objectName("compute2"))
        try paused.suspend()
        let third = try LabRunner(plan: plan).up()
        #expect(third.changes == ["compute2: resumed"], "\(third.changes)")
        #expect(try paused.state().state == .running)

        // Down by the lab's name alone, as `vmctl lab down NAME` does without the plan.
        let removed = try LabTeardown.down(lab: lab, defaultURI: Daemon.uri, keepNetworks: false, progress: SilentProgress())
        #expect(removed.contains("network \(lab)-mgmt on local"))
        #expect(removed.filter { $0.hasPrefix("domain ") }.count == 4)
        #expect(try leftovers(scope.connection).isEmpty)
        // The shared image survives.
        #expect(try scope.connection.storagePool(named: "\(lab)-pool").volume(named: "base.qcow2").name == "base.qcow2")
    }

    @Test func killedLabUpConvergesOnRerun() throws {
        let scope = try TestScope("lab")
        defer { scope.clean() }
        let (path, plan) = try writePlan(scope)
        for delay in [0.3, 1.0, 2.5] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: VMCtlBinary.path)
            process.arguments = ["lab", "up", path, "--connect", Daemon.uri, "-q"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            // Reap it directly: Foundation's exit notification is not to be waited on here.
            var status: Int32 = 0
            _ = waitpid(process.processIdentifier, &status, 0)
            let result = try LabRunner(plan: plan).up()
            #expect(result.status.nodes.allSatisfy { $0.state == "running" && $0.managementAddress != nil },
                    "after a kill at \(delay) s: \(result.status.nodes)")
            // No orphan: every volume in the pool is the base or a node's disk or seed.
            let expected = Set(plan.nodes.flatMap { ["\(plan.objectName($0.name)).qcow2", "\(plan.objectName($0.name))-seed.iso"] } + ["base.qcow2"])
            let volumes = Set(try scope.connection.storagePool(named: "\(lab)-pool").volumes().map(\.name))
            #expect(volumes == expected)
            _ = try LabRunner(plan: plan).down(keepNetworks: false)
            #expect(try leftovers(scope.connection).isEmpty)
        }
    }

    /// A killed run's define can reach the daemon after the rerun planned the
    /// node as missing (a CI run: "domain … already exists with uuid"). The
    /// definition is made to land at that moment, from the rerun's own progress
    /// step; the rerun removes it, as the killed run's, and makes the node.
    @Test func aDefinitionThatLandsLateIsTheKilledRunsAndGoes() throws {
        let scope = try TestScope("lab")
        defer { scope.clean() }
        let (_, plan) = try writePlan(scope)
        defer { _ = try? LabRunner(plan: plan).down(keepNetworks: false) }
        let name = plan.objectName("storage")
        let late = LateDefinition(uri: Daemon.uri, name: name, lab: lab)
        let result = try LabRunner(plan: plan, progress: late).up()
        #expect(late.landed, "the late definition was never sent")
        let storage = try #require(result.status.nodes.first { $0.name == "storage" })
        #expect(storage.state == "running" && storage.managementAddress != nil, "\(storage)")
        // The domain is the rerun's own: its disk, not the late one's nothing.
        let definition = try DomainDefinition(xml: try scope.connection.domain(named: name).xml([.inactive]))
        #expect(definition.disks.contains { $0.target == "vda" })
    }

    /// Defines a shut-off domain of the lab under `name` when lab up says it starts creating that node.
    final class LateDefinition: ProgressReporter, @unchecked Sendable {
        let uri: String, name: String, lab: String
        private let lock = NSLock()
        private var sent = false
        var landed: Bool { lock.withLock { sent } }
        init(uri: String, name: String, lab: String) { (self.uri, self.name, self.lab) = (uri, name, lab) }
        func step(_ message: String) {
            // Once, from whichever worker thread creates the node.
            guard message.hasPrefix("storage: creating on"), lock.withLock({ !sent && { sent = true; return true }() }) else { return }
            do {
                var definition = try DomainDefinition(xml: """
                    <domain type='qemu'><name>\(name)</name><memory unit='MiB'>64</memory>\
                    <os><type arch='x86_64'>hvm</type></os></domain>
                    """)
                definition.metadata = VMMetadata(lab: try ObjectName(lab))
                _ = try Connection(uri: uri).defineDomain(xml: try definition.xml())
            } catch {
                Issue.record("defining the late domain: \(error)")
            }
        }
    }

    /// Two hosts: this machine's libvirtd and a second one in namespaces of its
    /// own (Scripts/second-libvirtd.sh), reached over libvirt's RPC protocol.
    @Test func labSpansTwoHosts() throws {
        let scope = try TestScope("lab")
        defer { scope.clean() }
        let script = Fixture.repository.appendingPathComponent("Scripts/second-libvirtd.sh").path
        // A fresh second host each time: purge drops whatever an earlier run left in its state.
        _ = try run(script, ["purge", "vmctl-test-host2"])
        let started = try run(script, ["start", "vmctl-test-host2"])
        try #require(started.status == 0, "second libvirtd did not start: \(started.errors)")
        defer { _ = try? run(script, ["purge", "vmctl-test-host2"]) }
        let uri = try #require(started.output.split(separator: "\n").last.map(String.init))
        #expect(uri.hasPrefix("qemu+unix:///system?socket="))

        let subnet = try scope.freeSubnet()
        var text = planText(subnet: subnet)
        text = text.replacingOccurrences(of: "workers: 4\n", with: "workers: 4\nhosts:\n  host2: \"\(uri)\"\n")
        text = text.replacingOccurrences(of: """
              - name: storage
                roles: [storage]
            """, with: """
              - name: storage
                roles: [storage]
                host: host2
            """)
        let plan = try LabPlan.parse(text, defaultURI: Daemon.uri)
        #expect(plan.nodes.first { $0.name == "storage" }?.host == "host2")

        let result = try LabRunner(plan: plan).up()
        for node in result.status.nodes {
            #expect(node.state == "running" && node.managementAddress != nil, "\(node.name): \(node.state)")
        }
        // Each node runs on its own host: storage only on the second daemon.
        let second = try Connection(uri: uri)
        #expect(try second.domains().map(\.name) == ["\(lab)-storage"])
        #expect(try !scope.connection.domains().map(\.name).contains("\(lab)-storage"))
        #expect(try second.hostname() == "vmctl-test-host2")

        _ = try LabRunner(plan: plan).down(keepNetworks: false)
        #expect(try leftovers(scope.connection).isEmpty)
        #expect(try second.domains().isEmpty)
        #expect(try second.networks().filter { $0.name.hasPrefix(lab) }.isEmpty)
    }

    /// The daemon dies in the middle of `lab up` (on the stand-in host, so the
    /// shared daemon other tests use is left alone); once it is back, a rerun converges.
    @Test func labUpConvergesAfterADaemonRestart() throws {
        let scope = try TestScope("lab")
        defer { scope.clean() }
        let script = Fixture.repository.appendingPathComponent("Scripts/second-libvirtd.sh").path
        let host = "vmctl-test-host3"
        _ = try run(script, ["purge", host])
        let started = try run(script, ["start", host])
        try #require(started.status == 0, "second libvirtd did not start: \(started.errors)")
        defer { _ = try? run(script, ["purge", host]) }
        let uri = try #require(started.output.split(separator: "\n").last.map(String.init))

        // Every node on the stand-in host.
        var text = planText(subnet: try scope.freeSubnet())
        text = text.replacingOccurrences(of: "workers: 4\n", with: "workers: 4\nhosts:\n  h3: \"\(uri)\"\n")
        text = text.replacingOccurrences(of: "  cmdline: console=ttyS0 quiet no_timer_check\n", with: "  cmdline: console=ttyS0 quiet no_timer_check\n  host: h3\n")
        let path = Daemon.runDirectory.appendingPathComponent("\(lab)-restart.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let plan = try LabPlan.parse(text, file: path, defaultURI: Daemon.uri)
        #expect(plan.nodes.allSatisfy { $0.host == "h3" })

        let process = Process()
        process.executableURL = URL(fileURLWithPath: VMCtlBinary.path)
        process.arguments = ["lab", "up", path, "--connect", Daemon.uri, "-q"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The kill lands while vmctl makes the nodes: once the stand-in has the
        // lab's first domain. (A daemon killed while it starts a network can
        // leave that network's bridge behind, which no libvirt call removes;
        // vmctl then names the bridge to delete: a libvirt matter, not this test's.)
        let watcher = try Connection(uri: uri)
        let making = try waitUntil(seconds: 120, poll: 0.05) {
            try watcher.domains().contains { $0.name.hasPrefix(lab) }
        }
        try #require(making, "lab up defined no domain on \(host) within 120 s")
        // Kill only that host's libvirtd; its guests and networks stay, as in a daemon restart.
        let pidFile = "/var/lib/vmctl/hosts/\(host)/pids/libvirtd.pid"
        let daemon = try #require(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(daemon, SIGKILL)
        // vmctl either fails on the lost connection or, if it was already done, succeeds; either way it ends.
        var status: Int32 = 0
        _ = waitpid(process.processIdentifier, &status, 0)
        let restarted = try run(script, ["restart-daemon", host])
        try #require(restarted.status == 0, "restart failed: \(restarted.errors)")

        let result: LabUpResult
        do {
            result = try LabRunner(plan: plan).up()
        } catch {
            // What the restarted daemon was busy with: its warnings name the job that held a domain.
            let log = (try? String(contentsOfFile: "/var/lib/vmctl/hosts/\(host)/log/libvirtd.log", encoding: .utf8)) ?? "(no log)"
            let tail = log.split(separator: "\n").suffix(40).joined(separator: "\n")
            Issue.record("lab up after the restart: \(error.message)\nlibvirtd of \(host), last lines:\n\(tail)")
            return
        }
        #expect(result.status.nodes.allSatisfy { $0.state == "running" && $0.managementAddress != nil },
                "after a daemon restart: \(result.status.nodes)")
        let second = try Connection(uri: uri)
        let expected = Set(plan.nodes.flatMap { ["\(plan.objectName($0.name)).qcow2", "\(plan.objectName($0.name))-seed.iso"] } + ["base.qcow2"])
        #expect(Set(try second.storagePool(named: "\(lab)-pool").volumes().map(\.name)) == expected)
        _ = try LabRunner(plan: plan).down(keepNetworks: false)
        #expect(try second.domains().isEmpty)
        #expect(try second.networks().filter { $0.name.hasPrefix(lab) }.isEmpty)
    }

    /// A daemon busy with a node for longer than libvirt's 30 s wait for its
    /// job (as one reconnecting to its guests after a restart can be) does not
    /// fail `lab up`: it reads the node's state again and resumes it. Here a
    /// monitor command to a stopped QEMU holds the job.
    @Test func labUpWaitsOutADaemonBusyWithANode() throws {
        let scope = try TestScope("lab")
        defer { scope.clean() }
        let full = planText(subnet: try scope.freeSubnet())
        let others = try #require(full.range(of: "  - name: compute\n"))
        let text = String(full[..<others.lowerBound])
        let plan = try LabPlan.parse(text, defaultURI: Daemon.uri)
        #expect(plan.nodes.map(\.name) == ["controller"])
        _ = try LabRunner(plan: plan).up()
        defer { _ = try? LabRunner(plan: plan).down(keepNetworks: false) }

        let name = plan.objectName("controller")
        let domain = try scope.connection.domain(named: name)
        try domain.suspend()
        let pidText = try String(contentsOfFile: "/run/libvirt/qemu/\(name).pid", encoding: .utf8)
        let qemu = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(qemu, SIGSTOP)
        defer { kill(qemu, SIGCONT) }
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/virsh")
        holder.arguments = ["-c", Daemon.uri, "qemu-monitor-command", name, #"{"execute":"query-status"}"#]
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        defer { holder.terminate() }
        // The command has reached QEMU's monitor socket (and the job is held)
        // once bytes wait unread in it.
        // (libvirt shortens the name in the path: domain-ID-SHORTNAME.)
        let id = try #require(domain.id)
        let socket = try Regex("/domain-\(id)-[^/]+/monitor\\.sock")
        let waiting = try waitUntil(seconds: 30) {
            let sockets = try run("/usr/bin/ss", ["-x", "-H", "-n"]).output.split(separator: "\n")
            return sockets.contains { line in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                return line.contains(socket) && fields.count > 2 && (Int(fields[2]) ?? 0) > 0
            }
        }
        try #require(waiting, "the monitor command did not reach QEMU \(qemu)'s monitor")

        // QEMU runs on once lab up has said the daemon is busy.
        let progress = BusyProgress(qemu: qemu)
        let result = try LabRunner(plan: plan, progress: progress).up()
        #expect(result.changes == ["controller: resumed"], "\(result.changes)")
        #expect(progress.steps.contains { $0.hasPrefix("controller: libvirtd is busy with it (") }, "\(progress.steps)")
        #expect(try domain.state().state == .running)
        holder.waitUntilExit()
        #expect(holder.terminationStatus == 0)
    }

    /// A node that never gets an address: `lab up` gives up at the plan's
    /// timeout and says, per node, why.
    @Test func addressTimeoutExplainsEachNode() throws {
        let scope = try TestScope("lab")
        defer { scope.clean() }
        var text = planText(subnet: try scope.freeSubnet())
        text = text.replacingOccurrences(of: "address_timeout: 120", with: "address_timeout: 5")
        // One node, with no NIC at all.
        let nodes = text.range(of: "nodes:\n")!
        text = String(text[..<nodes.upperBound]) + "  - name: lonely\n"
        let plan = try LabPlan.parse(text, defaultURI: Daemon.uri)
        let error = #expect(throws: VMCtlError.self) { try LabRunner(plan: plan).up() }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("lab up: lonely: reached booted, not address, within 5 s: "), "\(message)")
        #expect(message.contains("it has no network interface"))
        #expect(!message.contains("\n"))
        _ = try LabRunner(plan: plan).down(keepNetworks: false)
        #expect(try leftovers(scope.connection).isEmpty)
    }
}

/// Records `lab up`'s steps and lets a stopped QEMU run on at the first "busy".
private final class BusyProgress: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []
    let qemu: Int32

    init(qemu: Int32) { self.qemu = qemu }

    var steps: [String] { lock.withLock { recorded } }

    func step(_ message: String) {
        lock.withLock { recorded.append(message) }
        if message.contains("libvirtd is busy") { kill(qemu, SIGCONT) }
    }
}
