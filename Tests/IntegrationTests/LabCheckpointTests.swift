import Foundation
import Libvirt
import LibvirtXML
import Testing
import VMCtlKit

/// `vmctl lab checkpoint | revert | checkpoints` on the real libvirtd with the
/// busybox guest: a three-node lab whose third node keeps its disk in a pool
/// of its own on a small tmpfs, so that pool can be made too small (refused
/// before anything changes) or full in the middle of a checkpoint (a real
/// failure on one node, which must leave no checkpoint anywhere).
@Suite(.enabled(if: Daemon.enabled), .serialized) struct IntegrationLabCheckpointTests {
    static let lab = "vmctl-test-h21-ckpt"
    var lab: String { Self.lab }
    /// The third node's pool: a tmpfs mounted here.
    var smallPoolPath: String { Daemon.runDirectory.appendingPathComponent("\(lab)-small").path }

    func planText(subnet: String, uefiNode: Bool = false) -> String {
        let image = Daemon.image.path
        return """
            lab: \(lab)
            workers: 3
            address_timeout: 180
            wait: address
            serial_dir: \(Daemon.runDirectory.path)/\(lab)-serial
            pools:
              - name: \(lab)-pool
                target: \(Daemon.runDirectory.appendingPathComponent("\(lab)-pool").path)
              - name: \(lab)-small
                target: \(smallPoolPath)
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
              cmdline: console=ttyS0 quiet
            nodes:
              - name: a
                networks: [mgmt]
              - name: b
                networks: [mgmt]
              - name: c
                pool: \(lab)-small
                networks: [mgmt]
            """ + (uefiNode ? "\n    firmware: uefi" : "")
    }

    /// A scope, the tmpfs for the small pool, the plan, and the lab up.
    struct Bed {
        var scope: TestScope
        var path: String
        var plan: LabPlan
        var domains: [String: Domain]

        func vmctl(_ arguments: [String], killAt: Int? = nil) async throws -> (status: Int32, output: String, errors: String) {
            var environment = ProcessInfo.processInfo.environment
            environment["VMCTL_FAULT_KILL_AT"] = killAt.map(String.init)
            return try await runOffThePool(vmctlBinary(), Array(arguments.prefix(2)) + [path] + arguments.dropFirst(2) + ["--connect", Daemon.uri], environment: environment, timeout: 600)
        }

        /// Each node's snapshot names.
        func snapshots() throws -> [String: [String]] {
            try domains.mapValues { try $0.snapshots().map(\.name).sorted() }
        }

        func states() throws -> [String: DomainState] {
            try domains.mapValues { try $0.state().state }
        }
    }

    /// No lifecycle event of the lab's domains (no pause) came in `events`
    /// before a sentinel's definition, made now and removed again.
    func expectNoEvent(before bed: Bed, in events: AsyncStream<DomainEvent>) async throws {
        _ = try bed.scope.connection.defineDomain(xml: try DomainDefinition(
            type: .qemu, name: ObjectName("\(lab)-sentinel"), memory: .mib(64)).xml())
        var seen: [String] = []
        for await event in events where event.domainName.hasPrefix(lab) {
            seen.append(event.domainName)
            if event.domainName == "\(lab)-sentinel" { break }
        }
        #expect(seen == ["\(lab)-sentinel"], "the refused checkpoint touched: \(seen)")
        try bed.scope.connection.domain(named: "\(lab)-sentinel").undefine()
    }

    func mountSmallPool(megabytes: Int) throws {
        try FileManager.default.createDirectory(atPath: smallPoolPath, withIntermediateDirectories: true)
        if !isMounted() {
            try #require(try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", smallPoolPath]).status == 0)
        } else {
            try resizeSmallPool(megabytes: megabytes)
        }
    }

    func resizeSmallPool(megabytes: Int) throws {
        let result = try run("/bin/mount", ["-o", "remount,size=\(megabytes)m", smallPoolPath])
        try #require(result.status == 0, "remount: \(result.errors)")
    }

    func isMounted() -> Bool {
        ((try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? "").contains(" \(smallPoolPath) ")
    }

    func setUp(uefiNode: Bool = false, progress: any ProgressReporter = SilentProgress()) throws -> Bed {
        let scope = try TestScope("h21")
        if isMounted() { _ = try? run("/bin/umount", [smallPoolPath]) }
        try mountSmallPool(megabytes: 400)
        let text = planText(subnet: try scope.freeSubnet(), uefiNode: uefiNode)
        let path = Daemon.runDirectory.appendingPathComponent("\(lab)-plan.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let plan = try LabPlan.parse(text, file: path, defaultURI: Daemon.uri)
        // From a clean lab: a run stopped before its teardown leaves checkpoint records under the same name.
        _ = try LabRunner(plan: plan).down(keepNetworks: false)
        let up = try LabRunner(plan: plan, progress: progress).up()
        #expect(up.status.nodes.allSatisfy { $0.state == "running" })
        var domains: [String: Domain] = [:]
        for node in plan.nodes { domains[node.name] = try scope.connection.domain(named: plan.objectName(node.name)) }
        return Bed(scope: scope, path: path, plan: plan, domains: domains)
    }

    func tearDown(_ bed: Bed) {
        _ = try? LabRunner(plan: bed.plan).down(keepNetworks: false)
        bed.scope.clean()
        if isMounted() { _ = try? run("/bin/umount", [smallPoolPath]) }
        try? FileManager.default.removeItem(atPath: smallPoolPath)
        try? FileManager.default.removeItem(atPath: "/var/lib/vmctl/labs/\(lab)")
    }

    static let decoder = JSONDecoder()

    @Test func checkpointRevertRoundTripAndLifecycle() async throws {
        let bed = try setUp()
        defer { tearDown(bed) }

        // One instant: every node paused before the first snapshot, none resumed before the last.
        let result = try await runCheckpoint(bed, "c1")
        #expect(result.kind == "memory")
        #expect(result.nodes.count == 3)
        #expect(result.nodes.allSatisfy { $0.memory && $0.state == "running" })
        let from = try #require(result.allPausedFrom)
        let until = try #require(result.allPausedUntil)
        #expect(from < until)
        for node in result.nodes {
            let paused = try #require(node.paused)
            let resumed = try #require(node.resumed)
            #expect(paused <= from && resumed >= until, "\(node.name) ran during the checkpoint: \(node)")
        }
        #expect(try bed.snapshots().values.allSatisfy { $0 == ["c1"] })
        #expect(try bed.states().values.allSatisfy { $0 == .running })

        // Listed by lab checkpoints and by lab status.
        let list = try await bed.vmctl(["lab", "checkpoints", "--output", "json"])
        try #require(list.status == 0, "\(list.errors)")
        #expect(try Self.decoder.decode([LabCheckpoint].self, from: Data(list.output.utf8)).map(\.name) == ["c1"])
        let status = try await bed.vmctl(["lab", "status", "--output", "json"])
        #expect(try Self.decoder.decode(LabStatus.self, from: Data(status.output.utf8)).checkpoints == ["c1"])

        // The same name again: one line, usage status, nothing changed.
        let again = try await bed.vmctl(["lab", "checkpoint", "c1"])
        #expect(again.status == 64, "\(again)")
        #expect(again.errors.split(separator: "\n").count == 1, "\(again.errors)")
        #expect(again.errors.contains("already has a checkpoint named 'c1'"))
        #expect(try bed.snapshots().values.allSatisfy { $0 == ["c1"] })

        // Node a powers off after the checkpoint; the revert brings back the running
        // guest it was, from its memory: QEMU starts afresh (a new serial log) and
        // the guest in it never boots, yet its acpid answers the power button.
        let serialA = Daemon.runDirectory.appendingPathComponent("\(lab)-serial/a.log")
        #expect(serialLines(serialA).contains { $0.contains("VMCTL-TEST-GUEST: booted") })
        try bed.domains["a"]!.shutdown()
        #expect(try waitUntil(seconds: 120) { try bed.domains["a"]!.state().state == .shutOff }, "a did not power off")
        let reverted = try await bed.vmctl(["lab", "revert", "c1", "--output", "json"])
        try #require(reverted.status == 0, "\(reverted.errors)")
        let revert = try Self.decoder.decode(LabRevertResult.self, from: Data(reverted.output.utf8))
        #expect(revert.nodes.allSatisfy { $0.state == "running" })
        #expect(revert.readiness.count == 3 && revert.readiness.allSatisfy { $0.reached >= .address })
        #expect(try bed.states().values.allSatisfy { $0 == .running })
        #expect(!serialLines(serialA).contains { $0.contains("VMCTL-TEST-GUEST: booted") }, "a booted again instead of resuming")
        try bed.domains["a"]!.shutdown()
        #expect(try waitUntil(seconds: 120) { try bed.domains["a"]!.state().state == .shutOff }, "the reverted a did not answer the power button")
        #expect(serialLines(serialA).contains { $0.contains("VMCTL-ACPI: power-button") })
        #expect(!serialLines(serialA).contains { $0.contains("VMCTL-TEST-GUEST: booted") })

        // A lab up rerun starts a and keeps the checkpoint.
        _ = try LabRunner(plan: bed.plan).up()
        #expect(try bed.snapshots().values.allSatisfy { $0 == ["c1"] })
        #expect(LabRunner(plan: bed.plan).checkpoints().map(\.name) == ["c1"])

        // --delete removes it from every node and from the list.
        let deleted = try await bed.vmctl(["lab", "checkpoint", "c1", "--delete"])
        try #require(deleted.status == 0, "\(deleted.errors)")
        #expect(try bed.snapshots().values.allSatisfy { $0.isEmpty })
        #expect(LabRunner(plan: bed.plan).checkpoints().isEmpty)

        // A shut-off lab gets a disks-only checkpoint, and lab down removes it with the lab.
        for domain in bed.domains.values { try domain.destroy() }
        let cold = try LabRunner(plan: bed.plan).checkpoint("cold")
        #expect(cold.kind == "disks" && cold.nodes.allSatisfy { !$0.memory && $0.paused == nil })
        #expect(try bed.snapshots().values.allSatisfy { $0 == ["cold"] })
        #expect(try bed.states().values.allSatisfy { $0 == .shutOff })
        _ = try LabRunner(plan: bed.plan).down(keepNetworks: false)
        #expect(!FileManager.default.fileExists(atPath: "/var/lib/vmctl/labs/\(lab)/checkpoints"))
        #expect(LabRunner(plan: bed.plan).checkpoints().isEmpty)
    }

    func runCheckpoint(_ bed: Bed, _ name: String) async throws -> LabCheckpoint {
        let result = try await bed.vmctl(["lab", "checkpoint", name, "--output", "json"])
        try #require(result.status == 0, "\(result.errors)")
        return try Self.decoder.decode(LabCheckpoint.self, from: Data(result.output.utf8))
    }

    /// Fills the small pool when node c's snapshot is about to be written:
    /// after the space check, while every node is paused and the others are being saved.
    final class FillingProgress: ProgressReporter, @unchecked Sendable {
        let path: String
        let node: String
        init(path: String, node: String) {
            self.path = path
            self.node = node
        }
        func step(_ message: String) {
            guard message == "\(node): saving memory and disks" else { return }
            var stats = statvfs()
            guard statvfs(path, &stats) == 0 else { return }
            let free = UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
            _ = try? run("/usr/bin/fallocate", ["-l", String(free), path + "/filler"])
        }
    }

    @Test func aFailureOnOneNodeLeavesNoCheckpointAnywhere() async throws {
        let bed = try setUp()
        defer { tearDown(bed) }
        let journal = "/var/lib/vmctl/labs/\(lab)/checkpoint-journal.json"

        // Too small a pool for node c's memory: refused in one line before anything is touched.
        var used = statvfs()
        try #require(statvfs(smallPoolPath, &used) == 0)
        let usedMiB = Int((UInt64(used.f_blocks) - UInt64(used.f_bfree)) * UInt64(used.f_frsize) >> 20)
        try resizeSmallPool(megabytes: usedMiB + 40)
        let events = try bed.scope.connection.domainEvents()
        let refused = try await bed.vmctl(["lab", "checkpoint", "c1"])
        #expect(refused.status == 64, "\(refused)")
        #expect(refused.errors.split(separator: "\n").count == 1, "\(refused.errors)")
        #expect(refused.errors.contains("pool \(lab)-small on local has") && refused.errors.contains("nothing was changed"), "\(refused.errors)")
        // No lifecycle event at all (no pause): a sentinel's definition is the first event after it.
        try await expectNoEvent(before: bed, in: events)
        #expect(try bed.snapshots().values.allSatisfy { $0.isEmpty })
        try resizeSmallPool(megabytes: 400)

        // Node c's pool fills while it is being saved: the snapshots of a and b
        // are deleted, every node runs, the error names c.
        let progress = FillingProgress(path: smallPoolPath, node: "c")
        var failure: VMCtlError?
        do {
            _ = try LabRunner(plan: bed.plan, progress: progress).checkpoint("c1")
        } catch {
            failure = error
        }
        try? FileManager.default.removeItem(atPath: smallPoolPath + "/filler")
        let error = try #require(failure, "the checkpoint succeeded on a full pool")
        #expect(error.message.contains("c: "), "\(error.message)")
        #expect(!error.message.contains("a: ") && !error.message.contains("b: "), "\(error.message)")
        #expect(error.message.contains("no node keeps checkpoint c1"), "\(error.message)")
        #expect(try bed.snapshots().values.allSatisfy { $0.isEmpty }, "\((try? bed.snapshots()) ?? [:])")
        #expect(try bed.states().values.allSatisfy { $0 == .running }, "\((try? bed.states()) ?? [:])")
        #expect(LabRunner(plan: bed.plan).checkpoints().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: journal))

        // With room again, the same checkpoint works.
        _ = try LabRunner(plan: bed.plan).checkpoint("c1")
        #expect(try bed.snapshots().values.allSatisfy { $0 == ["c1"] })
    }

    /// Killed at every step (VMCTL_FAULT_KILL_AT), a rerun of the same command converges.
    @Test func killedCheckpointAndRevertConvergeOnRerun() async throws {
        let bed = try setUp()
        defer { tearDown(bed) }
        let journal = "/var/lib/vmctl/labs/\(lab)/checkpoint-journal.json"
        var killedCheckpoint = 0
        for step in 1...20 {
            let killed = try await bed.vmctl(["lab", "checkpoint", "k"], killAt: step)
            if killed.status == 0 { break }
            try #require(killed.errors.contains("fault seam: killed at step \(step)"), "step \(step): \(killed.errors)")
            killedCheckpoint += 1
            let rerun = try await bed.vmctl(["lab", "checkpoint", "k"])
            try #require(rerun.status == 0, "rerun after a kill at step \(step): \(rerun.errors)")
            #expect(try bed.snapshots().values.allSatisfy { $0 == ["k"] }, "after a kill at step \(step): \((try? bed.snapshots()) ?? [:])")
            #expect(try bed.states().values.allSatisfy { $0 == .running }, "after a kill at step \(step): \((try? bed.states()) ?? [:])")
            #expect(!FileManager.default.fileExists(atPath: journal))
            let deleted = try await bed.vmctl(["lab", "checkpoint", "k", "--delete"])
            try #require(deleted.status == 0, "\(deleted.errors)")
        }
        #expect(killedCheckpoint >= 6, "the checkpoint has fewer steps than expected: \(killedCheckpoint)")
        #expect(try bed.snapshots().values.allSatisfy { $0 == ["k"] })

        var killedRevert = 0
        for step in 1...20 {
            let killed = try await bed.vmctl(["lab", "revert", "k"], killAt: step)
            if killed.status == 0 { break }
            try #require(killed.errors.contains("fault seam: killed at step \(step)"), "step \(step): \(killed.errors)")
            killedRevert += 1
            let rerun = try await bed.vmctl(["lab", "revert", "k"])
            try #require(rerun.status == 0, "rerun after a kill at step \(step): \(rerun.errors)")
            #expect(try bed.states().values.allSatisfy { $0 == .running }, "after a kill at step \(step): \((try? bed.states()) ?? [:])")
            #expect(try bed.snapshots().values.allSatisfy { $0 == ["k"] })
            #expect(!FileManager.default.fileExists(atPath: journal))
        }
        #expect(killedRevert >= 6, "the revert has fewer steps than expected: \(killedRevert)")

        // Killed deletes converge too.
        var step = 1
        while true {
            let killed = try await bed.vmctl(["lab", "checkpoint", "k", "--delete"], killAt: step)
            if killed.status == 0 { break }
            let rerun = try await bed.vmctl(["lab", "checkpoints"])
            try #require(rerun.status == 0)
            // The next checkpoint command finishes the interrupted delete first.
            let next = try await bed.vmctl(["lab", "checkpoint", "after\(step)"])
            try #require(next.status == 0, "\(next.errors)")
            #expect(try bed.snapshots().values.allSatisfy { $0 == ["after\(step)"] }, "after a kill at step \(step): \((try? bed.snapshots()) ?? [:])")
            _ = try await bed.vmctl(["lab", "checkpoint", "after\(step)", "--delete"])
            _ = try LabRunner(plan: bed.plan).checkpoint("k")
            step += 1
        }
        #expect(try bed.snapshots().values.allSatisfy { $0.isEmpty })
    }

    /// A UEFI (pflash) node is refused in one line before anything is touched.
    @Test func uefiNodeIsRefusedBeforeAnythingChanges() async throws {
        let bed = try setUp(uefiNode: true)
        defer { tearDown(bed) }
        let definition = try DomainDefinition(xml: try bed.domains["c"]!.xml())
        try #require(definition.os.loader?.type == .pflash, "node c does not boot UEFI from pflash")
        let events = try bed.scope.connection.domainEvents()
        let refused = try await bed.vmctl(["lab", "checkpoint", "c1"])
        #expect(refused.status == 64, "\(refused)")
        #expect(refused.errors.split(separator: "\n").count == 1, "\(refused.errors)")
        #expect(refused.errors.contains("node c boots UEFI from pflash") && refused.errors.contains("nothing was changed"), "\(refused.errors)")
        try await expectNoEvent(before: bed, in: events)
        #expect(try bed.snapshots().values.allSatisfy { $0.isEmpty })
        #expect(try bed.states().values.allSatisfy { $0 == .running })
        #expect(!FileManager.default.fileExists(atPath: "/var/lib/vmctl/labs/\(lab)/checkpoint-journal.json"))
    }

    /// Lines in order, from every thread.
    final class RecordingProgress: ProgressReporter, @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: [String] = []
        func step(_ message: String) { lock.withLock { recorded.append(message) } }
        var lines: [String] { lock.withLock { recorded } }
    }

    /// Under TCG, lab up boots at most one guest per core at once, says so
    /// first, and the next guest starts when one reaches its address.
    @Test func bringUpBootsAtMostOneGuestPerCoreUnderTCG() throws {
        let progress = RecordingProgress()
        let bed = try setUp(progress: progress)
        defer { tearDown(bed) }
        let cores = try bed.scope.connection.nodeInfo().cpus
        let lines = progress.lines
        #expect(lines.first == "bring-up: local: at most \(cores), one per core (TCG) booting at once; a guest leaves the booting set at its address stage",
                "\(lines.first ?? "")")
        var booting = 0
        var most = 0
        for line in lines {
            if line.contains(": booting (") { booting += 1 }
            if line.contains(": left the booting set") { booting -= 1 }
            most = max(most, booting)
        }
        #expect(most <= cores, "\(most) guests booted at once on \(cores) cores: \(lines)")
        #expect(lines.filter { $0.contains(": booting (") }.count == 3)
        if cores < 3 {
            // The third guest started only after one of the first left the booting set.
            let third = try #require(lines.indices.filter { lines[$0].contains(": booting (") }.dropFirst(cores).first)
            #expect(lines[..<third].contains { $0.contains(": left the booting set at its address") }, "\(lines)")
        }
    }
}
