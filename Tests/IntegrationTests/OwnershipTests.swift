import Foundation
import Libvirt
import LibvirtXML
import Testing
import VMCtlKit

/// Records progress steps, so a test can wait for "waiting for another vmctl".
private final class Steps: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var steps: [String] = []
    func step(_ message: String) { lock.withLock { steps.append(message) } }
    var all: [String] { lock.withLock { steps } }

    /// Whether "waiting for another vmctl process using the image" comes (2 minutes
    /// at most), polled without holding a thread of the cooperative pool.
    func eventuallyWaiting() async -> Bool {
        for _ in 0..<1200 {
            if all.contains(where: { $0.hasPrefix("waiting for another vmctl process using the image") }) { return true }
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
        return false
    }
}

/// `image prune` against commands that use an image, and `vm delete` against
/// an overlay someone left on a VM's layer, on the real libvirtd.
@Suite(.enabled(if: Daemon.enabled)) struct IntegrationOwnershipTests {
    /// A running dir pool of the scope's own holding a 1 MiB qcow2 `name`, and a
    /// registry (in a scratch folder) that says vmctl fetched it.
    func fetchedBase(_ scope: TestScope, _ name: String = "base.qcow2") throws
        -> (pool: StoragePool, path: String, registry: ImageRegistry) {
        let poolPath = Daemon.runDirectory.appendingPathComponent(scope.name("pool")).path
        let pool: StoragePool
        if let existing = try? scope.connection.storagePool(named: scope.name("pool")) {
            pool = existing
        } else {
            pool = try scope.connection.defineStoragePool(xml: """
                <pool type='dir'><name>\(scope.name("pool"))</name><target><path>\(poolPath)</path></target></pool>
                """)
            try pool.build()
            try pool.start()
        }
        let base = try pool.createVolume(xml: """
            <volume><name>\(name)</name><capacity unit='MiB'>1</capacity><target><format type='qcow2'/></target></volume>
            """)
        let registry = ImageRegistry(file: Daemon.runDirectory.appendingPathComponent(scope.name("images.json")))
        let path = try base.path()
        // The registry's file as `image fetch` writes it (Docs/commands-image.md).
        let entry: [String: String] = [
            "pool": pool.name, "volume": name, "path": path, "source": "http://127.0.0.1/\(name)",
            "checksum": "sha256:" + String(repeating: "0", count: 64), "fetchedAt": "2026-01-01T00:00:00Z",
        ]
        var entries: [[String: String]] = []
        if let data = FileManager.default.contents(atPath: registry.file.path),
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let connections = object["connections"] as? [String: [[String: String]]]
        {
            entries = connections[Daemon.uri] ?? []
        }
        entries.append(entry)
        let contents: [String: Any] = ["version": 1, "connections": [Daemon.uri: entries]]
        try JSONSerialization.data(withJSONObject: contents).write(to: registry.file)
        return (pool, path, registry)
    }

    /// Deterministic: the test holds the image's lock as `vm create` does while
    /// it layers a VM on the base. Prune waits for it, and decides again after:
    /// the overlay made meanwhile keeps the base.
    @Test func pruneWaitsForTheImageLockAndKeepsABaseLayeredMeanwhile() async throws {
        let scope = try TestScope("ownh-prune")
        defer { scope.clean() }
        let (pool, basePath, registry) = try fetchedBase(scope)
        var held: ObjectLock? = try ObjectLock.acquire(uri: Daemon.uri, kind: "image", name: basePath, timeout: 5)
        let steps = Steps()
        let connection = scope.connection
        let pruning = Task {
            try await Library.offload { try ImageService(connection: connection, registry: registry, progress: steps).prune(dryRun: false) }
        }
        #expect(await steps.eventuallyWaiting())
        _ = try pool.createVolume(xml: """
            <volume><name>vm.qcow2</name><capacity unit='MiB'>1</capacity><target><format type='qcow2'/></target>
            <backingStore><path>\(basePath)</path><format type='qcow2'/></backingStore></volume>
            """)
        held = nil
        let result = try await pruning.value
        #expect(result.removed.isEmpty)
        #expect(result.kept.map(\.path) == [basePath])
        #expect(FileManager.default.fileExists(atPath: basePath))
        _ = held

        // Nothing uses it any more: now prune removes it, so the check above could fail.
        try pool.volume(named: "vm.qcow2").delete()
        #expect(try ImageService(connection: connection, registry: registry).prune(dryRun: false).removed.map(\.path) == [basePath])
    }

    /// `vm create` takes the same lock before layering on a base, so a prune
    /// holding it (deciding what to remove) finishes first.
    @Test func vmCreateWaitsForTheImageLock() async throws {
        let scope = try TestScope("ownh-createlock")
        defer { scope.clean() }
        let (pool, basePath, _) = try fetchedBase(scope)
        var held: ObjectLock? = try ObjectLock.acquire(uri: Daemon.uri, kind: "image", name: basePath, timeout: 5)
        let steps = Steps()
        let connection = scope.connection
        let vm = scope.name("vm")
        let creating = Task { try await Library.offload {
            var creator = VMCreator(connection: connection)
            creator.progress = steps
            var request = VMCreateRequest(name: vm)
            request.image = .volume(pool: pool.name, name: "base.qcow2")
            request.pool = pool.name
            request.start = false
            try creator.run(try creator.plan(request, domainType: .init(type: .qemu, warnings: [])))
        } }
        #expect(await steps.eventuallyWaiting())
        #expect(try pool.volumes().map(\.name) == ["base.qcow2"], "an overlay was made while prune held the lock")
        held = nil
        try await creating.value
        #expect(try pool.volumes().map(\.name).sorted() == ["base.qcow2", vm + ".qcow2"])
        _ = held
    }

    /// Prune refuses, leaving the base, when the lock stays held past its wait.
    @Test func pruneRefusesWhileAnImageStaysLocked() throws {
        let scope = try TestScope("ownh-prunelock")
        defer { scope.clean() }
        let (_, basePath, registry) = try fetchedBase(scope)
        let held = try ObjectLock.acquire(uri: Daemon.uri, kind: "image", name: basePath, timeout: 5)
        var service = ImageService(connection: scope.connection, registry: registry)
        service.lockTimeout = 0
        #expect(throws: VMCtlError.self) { try service.prune(dryRun: false) }
        #expect(FileManager.default.fileExists(atPath: basePath))
        withExtendedLifetime(held) {}
    }

    /// The race the issue saw 3 times in 12: `vm create` on a fetched base while
    /// `image prune` runs. Whenever the VM was made, its base is still there.
    @Test func pruneDuringVMCreateNeverLeavesABrokenChain() async throws {
        let scope = try TestScope("ownh-race")
        defer { scope.clean() }
        var made = 0
        for round in 0..<12 {
            let name = "base\(round).qcow2"
            let (pool, basePath, registry) = try fetchedBase(scope, name)
            let vm = scope.name("vm\(round)")
            let connection = scope.connection
            let creating = Task { try await Library.offload { () throws -> Bool in
                let creator = VMCreator(connection: connection)
                var request = VMCreateRequest(name: vm)
                request.image = .volume(pool: pool.name, name: name)
                request.pool = pool.name
                request.start = false
                do {
                    try creator.run(try creator.plan(request, domainType: .init(type: .qemu, warnings: [])))
                    return true
                } catch {
                    // Pruned before the plan or before the lock: refused, nothing made.
                    return false
                }
            } }
            let pruning = Task {
                try await Library.offload { try ImageService(connection: connection, registry: registry).prune(dryRun: false) }
            }
            let created = try await creating.value
            _ = try await pruning.value
            if created {
                made += 1
                #expect(FileManager.default.fileExists(atPath: basePath), "round \(round): \(vm) was made and its base is gone")
                _ = try VMDeleter(connection: connection).delete(vm, force: true)
            } else {
                #expect(try connection.domains().allSatisfy { $0.name != vm }, "round \(round): a failed create left \(vm)")
            }
        }
        #expect(made > 0, "no round made its VM: the race was never run")
    }

    /// `vm delete` keeps a layer that an overlay outside the VM still uses.
    @Test func vmDeleteKeepsALayerAnOrphanOverlayUses() throws {
        let scope = try TestScope("ownh-orphan")
        defer { scope.clean() }
        let (pool, _, _) = try fetchedBase(scope)
        let creator = VMCreator(connection: scope.connection)
        var request = VMCreateRequest(name: scope.name("source"))
        request.image = .volume(pool: pool.name, name: "base.qcow2")
        request.pool = pool.name
        request.start = false
        try creator.run(try creator.plan(request, domainType: .init(type: .qemu, warnings: [])))
        let layer = try pool.volume(named: scope.name("source") + ".qcow2")
        let layerPath = try layer.path()
        // An overlay on the VM's layer that no domain records (left by a crashed clone, or made by hand).
        _ = try pool.createVolume(xml: """
            <volume><name>orphan.qcow2</name><capacity unit='MiB'>1</capacity><target><format type='qcow2'/></target>
            <backingStore><path>\(layerPath)</path><format type='qcow2'/></backingStore></volume>
            """)
        let deleted = try VMDeleter(connection: scope.connection).delete(scope.name("source"), force: true)
        #expect(deleted.deletedVolumes.isEmpty)
        #expect(deleted.keptVolumes.contains("\(pool.name)/\(scope.name("source")).qcow2"))
        #expect(FileManager.default.fileExists(atPath: layerPath))
        #expect(try scope.connection.domains().allSatisfy { $0.name != scope.name("source") })
    }

    /// `vm create --serial-file`, through the CLI: a file vmctl did not make, a
    /// missing directory, a directory, a system directory are refused before
    /// anything is made (with --dry-run too), one line naming the field, status
    /// 64; a log vmctl made serves the same VM again, never another.
    @Test func serialFilesVMCtlDidNotMakeAreRefused() async throws {
        let scope = try TestScope("ownh-serial")
        defer { scope.clean() }
        let (pool, _, _) = try fetchedBase(scope)
        let run = Daemon.runDirectory.path
        let taken = run + "/" + scope.name("taken.log")
        try Data("not vmctl's".utf8).write(to: URL(fileURLWithPath: taken))
        try FileManager.default.createDirectory(atPath: run + "/" + scope.name("dir"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: run + "/" + scope.name("link.log"), withDestinationPath: taken)
        let vm = scope.name("vm")
        let cases = [
            (taken, "exists; vmctl writes a serial log only to a file it created for this VM"),
            (run + "/" + scope.name("link.log"), "exists and is a symbolic link"),
            (run + "/" + scope.name("none") + "/x.log", "which does not exist"),
            (run + "/" + scope.name("dir"), "exists and is a directory"),
            ("/etc/passwd", "is in /etc, which is a system directory"),
        ]
        for (path, rule) in cases {
            for dryRun in [true, false] {
                let arguments = ["vm", "create", vm, "--disk-size", "16M", "--pool", pool.name, "--serial-file", path,
                                 "--connect", Daemon.uri] + (dryRun ? ["--dry-run"] : [])
                let result = try await runVMCtl(arguments, timeout: 120)
                #expect(result.status == 64, "\(path): \(result.errors)")
                #expect(result.errors.hasPrefix("vmctl: error: --serial-file: \"\(path)\" is not allowed: "), "\(result.errors)")
                #expect(result.errors.contains(rule) && result.errors.split(separator: "\n").count == 1, "\(result.errors)")
            }
        }
        #expect(try String(contentsOfFile: taken, encoding: .utf8) == "not vmctl's")
        #expect(try scope.connection.domains().allSatisfy { $0.name != vm })
        #expect(try pool.volumes().map(\.name) == ["base.qcow2"])

        // A log vmctl creates: mode 0600, used again by the same VM after vm delete, refused to another.
        let log = run + "/" + scope.name("vm.log")
        let create = ["vm", "create", vm, "--disk-size", "16M", "--pool", pool.name, "--serial-file", log, "--connect", Daemon.uri]
        var result = try await runVMCtl(create, timeout: 300)
        #expect(result.status == 0, "\(result.errors)")
        let attributes = try FileManager.default.attributesOfItem(atPath: log)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try await runVMCtl(["vm", "delete", vm, "--force", "--connect", Daemon.uri], timeout: 120).status == 0)
        result = try await runVMCtl(create, timeout: 300)
        #expect(result.status == 0, "a rerun for the same VM: \(result.errors)")
        var other = create
        other[2] = scope.name("other")
        result = try await runVMCtl(other, timeout: 120)
        #expect(result.status == 64 && result.errors.contains("exists; "), "\(result.errors)")
    }

    /// `vm clone` renames the source's serial log for each clone and applies the
    /// same rule: a file there that vmctl did not make stops the clone before
    /// anything is made; otherwise vmctl creates the clone's log (0600).
    @Test func vmCloneRefusesASerialLogItDidNotMake() throws {
        let scope = try TestScope("ownh-clonelog")
        defer { scope.clean() }
        let (pool, _, _) = try fetchedBase(scope)
        let run = Daemon.runDirectory.path
        let source = scope.name("src")
        let creator = VMCreator(connection: scope.connection)
        var request = VMCreateRequest(name: source)
        request.image = .volume(pool: pool.name, name: "base.qcow2")
        request.pool = pool.name
        request.serialFile = run + "/" + source + ".log"
        try creator.run(try creator.plan(request, domainType: .init(type: .qemu, warnings: [])))
        let taken = run + "/" + scope.name("c1") + ".log"
        try Data("not vmctl's".utf8).write(to: URL(fileURLWithPath: taken))
        let before = try pool.volumes().map(\.name).sorted()
        let error = vmctlError { () throws(VMCtlError) in
            try VMCloner(connection: scope.connection).clone(source: source, as: scope.name("c1"), mode: .linked)
        }
        #expect(error?.status == .usage)
        #expect(error?.message.hasPrefix("name: \(scope.name("c1"))'s serial log \"\(taken)\" is not allowed: exists; ") == true,
                "\(String(describing: error))")
        #expect(try String(contentsOfFile: taken, encoding: .utf8) == "not vmctl's")
        #expect(try pool.volumes().map(\.name).sorted() == before)
        #expect(try scope.connection.domains().allSatisfy { $0.name != scope.name("c1") })

        _ = try VMCloner(connection: scope.connection).clone(source: source, as: scope.name("c2"), mode: .linked)
        let log = run + "/" + scope.name("c2") + ".log"
        let attributes = try FileManager.default.attributesOfItem(atPath: log)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}

/// The error `body` throws as vmctl reports it: message and exit status.
private func vmctlError<T>(_ body: () throws(VMCtlError) -> T) -> VMCtlError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
