import Foundation
import HostCheck
import Libvirt
import Testing
import VMCtlKit

/// Every kill converges: each command is killed (SIGKILL, through the
/// test-only `VMCTL_FAULT_KILL_AT` seam) at each step it reports, in turn,
/// until it completes unkilled. After each kill, two ways on must finish the
/// job and leave nothing: rerunning it then deleting what it made, and
/// deleting straight away (`vm delete`, `lab down`). Nothing with the scope's
/// prefix may be left: no domain, network, volume, journal entry, lab state
/// or stray file. No guest boots: nothing here starts one.
@Suite(.enabled(if: Daemon.enabled), .serialized) struct IntegrationFaultTests {
    /// What one command's sweep measured, printed for the record.
    struct Tally: CustomStringConvertible {
        var command: String
        /// (step, way on) pairs tried, and how many converged.
        var kills = 0
        var converged = 0
        /// The step count: the first run not killed.
        var steps = 0
        var description: String { "fault sweep: \(command): \(converged) of \(kills) kills converged (\(steps) steps, each killed then rerun, and killed then deleted)" }
    }

    /// A scope with its own pool (a directory under the run directory) and journal directory.
    struct Bed {
        let scope: TestScope
        let pool: String
        let poolPath: String
        let journal: String
        /// Lab state, and image fetch's registry and downloads, under the scope's prefix.
        let labState: String
        let imageState: String
        /// The pool is the command's to make (a lab's): the bed does not make it, and it may stay, built, with `keeps` in it.
        let commandMakesPool: Bool
        var keeps: Set<String> = []

        init(_ name: String, commandMakesPool: Bool = false) throws {
            scope = try TestScope(name)
            pool = scope.name("pool")
            poolPath = Daemon.runDirectory.appendingPathComponent(pool).path
            journal = Daemon.runDirectory.appendingPathComponent(scope.name("journal")).path
            labState = Daemon.runDirectory.appendingPathComponent(scope.name("labs")).path
            imageState = Daemon.runDirectory.appendingPathComponent(scope.name("images")).path
            self.commandMakesPool = commandMakesPool
            try makePool()
        }

        func makePool() throws {
            guard !commandMakesPool else { return }
            let made = try scope.connection.defineStoragePool(xml: """
                <pool type='dir'><name>\(pool)</name><target><path>\(poolPath)</path></target></pool>
                """)
            try made.build()
            try made.start()
        }

        /// Back to an empty pool, whatever the last try left.
        func reset() throws {
            scope.clean()
            try makePool()
        }

        /// Runs vmctl on the test daemon with this bed's journal, killed at `killAt` when given.
        func vmctl(_ arguments: [String], killAt: Int? = nil) async throws -> (status: Int32, output: String, errors: String) {
            var environment = ProcessInfo.processInfo.environment
            environment["VMCTL_JOURNAL_DIR"] = journal
            environment["VMCTL_LAB_STATE_DIR"] = labState
            environment["VMCTL_IMAGE_STATE_DIR"] = imageState
            environment["VMCTL_FAULT_KILL_AT"] = killAt.map(String.init)
            return try await runOffThePool(vmctlBinary(), arguments + ["--connect", Daemon.uri], environment: environment, timeout: 180)
        }

        /// Runs vmctl and requires it to succeed.
        @discardableResult
        func succeed(_ arguments: [String]) async throws -> String {
            let result = try await vmctl(arguments)
            try #require(result.status == 0, "vmctl \(arguments.joined(separator: " ")): \(result.errors)")
            return result.output
        }

        /// Everything of the scope still there, beside the bed's own (empty) pool.
        func leftovers() throws -> [String] {
            let prefix = scope.prefix
            var left = try scope.connection.domains().map(\.name).filter { $0.hasPrefix(prefix) }.map { "domain \($0)" }
            left += try scope.connection.networks().map(\.name).filter { $0.hasPrefix(prefix) }.map { "network \($0)" }
            left += try scope.connection.storagePools().map(\.name).filter { $0.hasPrefix(prefix) && $0 != pool }.map { "pool \($0)" }
            if let volumes = try? scope.connection.storagePool(named: pool) {
                // A pool a lab made stays on lab down, but never half built.
                guard try volumes.isActive() else { return left + ["pool \(pool), not active"] }
                try volumes.refresh()
                left += try volumes.volumes().map(\.name).filter { !keeps.contains($0) }.map { "volume \($0)" }
            }
            left += ((try? FileManager.default.contentsOfDirectory(atPath: poolPath)) ?? []).filter { !keeps.contains($0) }.map { "file \(poolPath)/\($0)" }
            left += ((try? FileManager.default.contentsOfDirectory(atPath: journal)) ?? []).map { "journal entry \($0)" }
            left += ((try? FileManager.default.subpathsOfDirectory(atPath: labState)) ?? []).map { "lab state \($0)" }
            left += ((try? FileManager.default.contentsOfDirectory(atPath: imageState + "/downloads")) ?? []).map { "download \($0)" }
            if let registry = try? String(contentsOfFile: imageState + "/images.json", encoding: .utf8), registry.contains(pool) {
                left.append("image registry entry in \(pool)")
            }
            return left
        }
    }

    /// Kills `command` at step 1, 2, … until it completes unkilled. After each
    /// kill, `setUp` runs again for each way on: `rerun` (run `command` again,
    /// then `check` and `delete`) and `delete` alone. Each must leave nothing.
    func sweep(
        _ name: String, bed: Bed, limit: Int = 30, setUp: () async throws -> Void, command: [String],
        check: () async throws -> Void, delete: () async throws -> Void
    ) async throws -> Tally {
        var tally = Tally(command: name)
        for step in 1...limit {
            for rerun in [true, false] {
                try await setUp()
                let killed = try await bed.vmctl(command, killAt: step)
                if killed.status == 0 {
                    // Completed: every step has been killed in turn.
                    tally.steps = step - 1
                    try await check()
                    try await delete()
                    let left = try bed.leftovers()
                    #expect(left.isEmpty, "\(name) left: \(left)")
                    print(tally)
                    return tally
                }
                tally.kills += 1
                #expect(killed.status == 128 + SIGKILL, "\(name) at step \(step): \(killed.errors)")
                #expect(killed.errors.contains("fault seam: killed at step \(step)"), "\(name) at step \(step): \(killed.errors)")
                if rerun {
                    let again = try await bed.vmctl(command)
                    #expect(again.status == 0, "\(name) rerun after a kill at step \(step): \(again.errors)")
                    try await check()
                }
                try await delete()
                let left = try bed.leftovers()
                #expect(left.isEmpty, "\(name), killed at step \(step), then \(rerun ? "rerun and " : "")deleted, left: \(left)")
                if left.isEmpty { tally.converged += 1 }
                try bed.reset()
            }
        }
        Issue.record("\(name) did not complete within \(limit) steps")
        return tally
    }

    /// A source VM from the test guest's base image with a data disk and a cloud-init seed: three volumes.
    func createArguments(_ name: String, bed: Bed) -> [String] {
        ["vm", "create", name, "--image", Daemon.image.appendingPathComponent("base.qcow2").path, "--pool", bed.pool,
         "--hostname", "fault", "--memory", "128M", "--disk", "8M", "-q"]
    }

    func sha256(_ path: String) throws -> String {
        String(try run("/usr/bin/sha256sum", [path]).output.prefix(64))
    }

    /// Each clone's disks are files whose whole backing chain opens.
    func requireChainsOpen(_ domain: String, bed: Bed) throws {
        let xml = try bed.scope.connection.domain(named: domain).xml([.inactive])
        let paths = xml.split(separator: "'").map(String.init).filter { $0.hasPrefix(bed.poolPath + "/") && $0.hasSuffix(".qcow2") }
        #expect(!paths.isEmpty, "\(domain) has no disk in the pool")
        for path in paths {
            let info = try ChildProcess.run("/usr/bin/qemu-img", ["info", "-U", "--backing-chain", path])
            #expect(info.status == 0, "\(domain): \(path): \(info.errors)")
        }
    }

    @Test func vmCreateConvergesAfterEveryKill() async throws {
        let bed = try Bed("killh-create")
        defer { bed.scope.clean() }
        let vm = bed.scope.name("vm")
        let tally = try await sweep(
            "vm create", bed: bed, setUp: {}, command: createArguments(vm, bed: bed),
            check: { try requireChainsOpen(vm, bed: bed) },
            delete: { try await bed.succeed(["vm", "delete", vm, "-q"]) })
        #expect(tally.steps == 5 && tally.converged == tally.kills && tally.kills == 10, "\(tally)")
    }

    @Test func vmCloneCountConvergesAfterEveryKill() async throws {
        let bed = try Bed("killh-clone")
        defer { bed.scope.clean() }
        let source = bed.scope.name("src")
        let clones = (1...3).map { bed.scope.name("c-\($0)") }
        let tally = try await sweep(
            "vm clone --count 3", bed: bed,
            setUp: { try await bed.succeed(createArguments(source, bed: bed)) },
            command: ["vm", "clone", source, bed.scope.name("c"), "--count", "3", "-q"],
            check: {
                for clone in clones { try requireChainsOpen(clone, bed: bed) }
                try requireChainsOpen(source, bed: bed)
            },
            delete: {
                // The source first: the orphans a kill left sit on its layers.
                try await bed.succeed(["vm", "delete", source, "-q"])
                for clone in clones where (try? bed.scope.connection.domain(named: clone)) != nil {
                    try await bed.succeed(["vm", "delete", clone, "-q"])
                }
            })
        #expect(tally.steps == 11 && tally.converged == tally.kills && tally.kills == 22, "\(tally)")
    }

    @Test func labUpConvergesAfterEveryKill() async throws {
        var bed = try Bed("killh-lab", commandMakesPool: true)
        bed.keeps = ["base.qcow2"]
        defer { bed.scope.clean() }
        let lab = bed.scope.name("lab")
        let image = Daemon.image.path
        let plan = Daemon.runDirectory.appendingPathComponent(bed.scope.name("plan.yaml")).path
        // One node: its steps come in one order. Started, not waited for.
        let text = """
            lab: \(lab)
            wait: none
            serial_dir: \(Daemon.runDirectory.path)/\(bed.scope.name("serial"))
            pools:
              - name: \(bed.pool)
                target: \(bed.poolPath)
            images:
              - name: base.qcow2
                pool: \(bed.pool)
                path: \(image)/base.qcow2
            networks:
              - name: net
                mode: isolated
                subnet: \(try bed.scope.freeSubnet()).0/24
            defaults:
              image: base.qcow2
              memory: 128M
              kernel: \(image)/vmlinuz
              initrd: \(image)/initrd.img
              cmdline: console=ttyS0 quiet no_timer_check
            nodes:
              - name: node
                networks: [net]
            """

        let node = "\(lab)-node"
        let imported = bed.poolPath + "/base.qcow2"
        let tally = try await sweep(
            "lab up", bed: bed, setUp: { try text.write(toFile: plan, atomically: true, encoding: .utf8) },
            command: ["lab", "up", plan, "-q"],
            check: {
                let domain = try bed.scope.connection.domain(named: node)
                #expect(try domain.isActive(), "\(node) is not running")
                #expect(try bed.scope.connection.network(named: "\(lab)-net").isActive())
                #expect(try bed.scope.connection.network(named: "\(lab)-net").autostart())
                let pool = try bed.scope.connection.storagePool(named: bed.pool)
                #expect(try pool.isActive() && pool.autostart())
                try requireChainsOpen(node, bed: bed)
                #expect(try sha256(imported) == sha256(image + "/base.qcow2"), "the image in the pool is not the whole image")
            },
            delete: {
                try await bed.succeed(["lab", "down", lab, "-q"])
                // The image stays, as lab down keeps images, but never half imported.
                if FileManager.default.fileExists(atPath: imported) {
                    #expect(try sha256(imported) == sha256(image + "/base.qcow2"), "lab down kept a half-imported image")
                }
            })
        #expect(tally.steps == 17 && tally.converged == tally.kills && tally.kills == 34, "\(tally)")
    }

    @Test func imageFetchConvergesAfterEveryKill() async throws {
        let bed = try Bed("killh-fetch")
        defer { bed.scope.clean() }
        let image = Daemon.image.appendingPathComponent("base.qcow2")
        // The server's files outlive each try's reset (which cleans the scope's prefix).
        let www = Daemon.runDirectory.appendingPathComponent("killh-fetch-www")
        let serverState = Daemon.runDirectory.appendingPathComponent("killh-fetch-server")
        defer {
            try? FileManager.default.removeItem(at: www)
            try? FileManager.default.removeItem(at: serverState)
        }
        try? FileManager.default.removeItem(at: www)
        try FileManager.default.createDirectory(at: www.appendingPathComponent("good"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: serverState, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: image, to: www.appendingPathComponent("good/base.qcow2"))
        let digest = try sha256(image.path)
        let server = try IntegrationImageTests.HTTPServer(root: www, state: serverState, cuts: [], ignoringRange: [], stalls: [])
        defer { server.stop() }
        let volume = bed.poolPath + "/fetched.qcow2"
        let tally = try await sweep(
            "image fetch", bed: bed, setUp: {},
            command: ["image", "fetch", server.url("/good/base.qcow2"), "--pool", bed.pool, "--name", "fetched.qcow2",
                      "--checksum", "sha256:\(digest)", "-q"],
            check: {
                #expect(try sha256(volume) == digest)
                let listed = try await bed.succeed(["image", "list", "-o", "json"])
                #expect(listed.contains(volume), "not in the registry: \(listed)")
            },
            delete: { try await bed.succeed(["image", "prune", "-q"]) })
        #expect(tally.steps == 6 && tally.converged == tally.kills && tally.kills == 12, "\(tally)")
    }
}
