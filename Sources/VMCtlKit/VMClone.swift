import FoundationEssentials
import Dispatch
import Libvirt
import LibvirtXML
import NoCloud
#if canImport(Glibc)
import Glibc
#endif

/// How `vm clone` copies each writable disk.
public enum CloneMode: String, Sendable, Codable {
    /// A qcow2 overlay on the source's disk, made in milliseconds. The source's
    /// current disk is frozen as the shared backing layer and the source gets a
    /// fresh overlay of its own, so neither can change what the other sees.
    case linked
    /// A standalone copy of each disk (libvirt flattens the backing chain).
    case full
}

/// What `vm clone` made.
public struct VMCloneResult: Codable, Sendable, Equatable {
    public var source: String
    public var clones: [String]
    public var mode: CloneMode
    public var createdVolumes: [String]
    /// Whether each clone got a seed of its own (its name as host name, a new
    /// instance-id, its own MACs); false with `--keep-identity` or when the
    /// source has no cloud-init seed.
    public var newIdentity: Bool
}

/// Clones a domain: new names, UUIDs and MACs, and its own copy-on-write layer
/// or copy of every writable disk. On failure removes what it created, newest first.
public struct VMCloner: Sendable {
    public let connection: Connection
    public var progress: any ProgressReporter
    /// The serial-log rule `vm create` applies, for each clone's renamed log.
    var serialLogs = SerialLogFile()
    /// For `--full`: given what is being copied, where to report (bytes written, bytes to write), or nil.
    public var copyProgress: (@Sendable (_ label: String) -> (@Sendable (UInt64, UInt64) -> Void)?)?

    public init(connection: Connection, progress: any ProgressReporter = SilentProgress()) {
        self.connection = connection
        self.progress = progress
    }

    /// A writable disk of the source and the pool volume behind it.
    struct SourceDisk {
        var index: Int
        var target: String
        var path: String
        var pool: StoragePool
        var volume: StorageVolume
    }

    /// Clone names: `NEW` for one, `NEW-1` … `NEW-N` for several.
    public static func cloneNames(_ base: String, count: Int) -> [String] {
        count == 1 ? [base] : (1...count).map { "\(base)-\($0)" }
    }

    /// The clone's first boot makes a new /etc/machine-id: once per instance,
    /// early (bootcmd), so DHCP clients that derive their ID from it differ.
    static let machineIDCommand = SeedConfig.Command.argv([
        "cloud-init-per", "instance", "vmctl-machine-id", "sh", "-c",
        "rm -f /etc/machine-id /var/lib/dbus/machine-id && systemd-machine-id-setup",
    ])

    /// The source's cloud-init seed: a read-only CD-ROM labelled cidata in a pool.
    struct SourceSeed {
        var index: Int
        var image: SeedImage
        var pool: StoragePool
    }

    public func clone(
        source requestedSource: String, as newName: String, mode: CloneMode, count: Int = 1, suspendSource: Bool = false,
        start: Bool = false, keepIdentity: Bool = false
    ) throws(VMCtlError) -> VMCloneResult {
        guard (1...100).contains(count) else {
            throw .invalid(field: "--count", "\(count) is not allowed: must be 1 to 100")
        }
        if suspendSource && mode != .full {
            throw .invalid(field: "--suspend-source", "only with --full: a linked clone needs its source shut off")
        }
        let requested = try Self.cloneNames(newName, count: count).map { name throws(VMCtlError) in
            try parsed { try ObjectName(name, field: "name") }
        }
        let source = try VMLifecycle(connection: connection).domain(nameOrUUID: requestedSource)
        // Given a UUID, the clone's volumes and logs are still named after the source's name.
        let sourceName = source.name
        // A linked clone moves the source onto a new top layer: two at once would
        // each redefine it, and one layer would be orphaned. Held until return.
        let lock = try ObjectLock.acquire(
            uri: (try? connection.uri()) ?? "", kind: "domain", name: sourceName,
            waiting: { [progress] in progress.step("waiting for another vmctl process working on \(sourceName)") })
        defer { withExtendedLifetime(lock) {} }
        // What a killed clone of this source to these names left: its orphan volumes go first, and
        // the clones it finished defining are kept (adopted) rather than refused.
        let leftovers = try JournalLeftovers.collect(on: connection, matching: { entry in
            entry.source == sourceName && requested.contains { entry.owners.contains($0.rawValue) }
        })
        var adopted: [ObjectName] = []
        for name in requested where try find("looking up domain '\(name)'", missing: .noDomain, { try connection.domain(named: name.rawValue) }) != nil {
            guard leftovers.owners.contains(name.rawValue) else { throw .invalid(field: "name", "a domain named '\(name)' already exists") }
            adopted.append(name)
        }
        let names = requested.filter { !adopted.contains($0) }
        let sourceXML = try libvirt("reading '\(sourceName)'") { try source.xml([.inactive]) }
        let definition = try libvirt("reading '\(sourceName)'") { try DomainDefinition(xml: sourceXML) }
        let running = try libvirt("reading the state of '\(sourceName)'") { try source.isActive() }
        if running { try refuseRunning(sourceName, mode: mode, suspendSource: suspendSource) }
        let disks = try writableDisks(of: definition, sourceName: sourceName)
        try inspectSourceDisks(disks, of: definition)
        let job = CloneJob(
            source: source, sourceName: sourceName, sourceXML: sourceXML, definition: definition, running: running, mode: mode, disks: disks,
            seed: keepIdentity ? nil : try sourceSeed(of: definition),
            nvram: try sourceNVRAM(of: definition, source: source, running: running, sourceName: sourceName),
            local: try StorageService(connection: connection).isLocal(), start: start, names: names)
        try checkNames(job, leftovers: leftovers)
        try requireRoomForCopies(job, count: count)
        // A linked clone gives the source new top layers: `SOURCE-TARGET-xxxxxxxx.qcow2`.
        if mode == .linked, let disk = disks.first, !ObjectName.isValid("\(sourceName)-\(disk.target)-00000000.qcow2") {
            throw .invalid(field: "source", "'\(sourceName)' is too long a name for a linked clone's new top layer ('\(sourceName)-\(disk.target)-…qcow2'); use --full")
        }
        try leftovers.remove(progress: progress)
        for name in adopted {
            progress.step("keeping \(name), which a killed vmctl vm clone defined")
            if start { try startAdopted(name.rawValue) }
        }
        let topSuffix = UUID().uuidString.prefix(8).lowercased()
        let topNames = disks.map { "\(sourceName)-\($0.target)-\(topSuffix).qcow2" }
        let journal = try CreationJournal.begin(
            "vm clone", on: connection, owners: names.map(\.rawValue), source: sourceName,
            volumes: plannedVolumes(names: names, disks: disks, seed: job.seed, topNames: mode == .linked ? topNames : []))
        let rollback = Rollback(progress: progress)
        // Kept when a rollback left something behind: a rerun or vm delete then removes it.
        defer { if rollback.leftBehind.isEmpty { journal.finish() } }
        return try rollback.guarding { () throws(VMCtlError) -> VMCloneResult in
            var result = VMCloneResult(source: sourceName, clones: requested.map(\.rawValue), mode: mode, createdVolumes: [],
                                       newIdentity: job.seed != nil)
            try makeClones(job, topNames: topNames, rollback: rollback, result: &result)
            return result
        }
    }

    static func seedName(clone: String) -> String { VMVolumeNames.seed(clone) }

    /// Every volume the clones will have, in creation order, for the journal.
    func plannedVolumes(names: [ObjectName], disks: [SourceDisk], seed: SourceSeed?, topNames: [String]) -> [CreationJournalEntry.Volume] {
        var volumes = zip(disks, topNames).map { CreationJournalEntry.Volume(pool: $0.pool.name, name: $1) }
        for name in names {
            volumes += disks.map { .init(pool: $0.pool.name, name: Self.volumeName(clone: name.rawValue, target: $0.target)) }
            if let seed { volumes.append(.init(pool: seed.pool.name, name: Self.seedName(clone: name.rawValue))) }
        }
        return volumes
    }

    /// Starts a clone a killed run defined but did not start.
    func startAdopted(_ name: String) throws(VMCtlError) {
        let domain = try libvirt("looking up '\(name)'") { try connection.domain(named: name) }
        guard try !libvirt("reading the state of '\(name)'", { try domain.isActive() }) else { return }
        progress.step("starting \(name)")
        try libvirt("starting '\(name)'") { try domain.start() }
    }

    /// A UEFI source's variable store.
    struct SourceNVRAM {
        var path: String
        /// Whether the file exists yet (libvirt makes it at the first start).
        var exists: Bool
    }

    /// A UEFI source's NVRAM file: its `<nvram>` path, the running domain's, or the
    /// one libvirt gives it by default. Nil for a BIOS source, or a driver without
    /// NVRAM files (the test driver). The file is copied on this host, so a remote
    /// daemon is refused before anything changes.
    func sourceNVRAM(of definition: DomainDefinition, source: Domain, running: Bool, sourceName: String) throws(VMCtlError) -> SourceNVRAM? {
        guard definition.os.bootsUEFI else { return nil }
        let live = running ? (try? source.xml()).flatMap { try? DomainDefinition(xml: $0) }?.os.nvram?.path : nil
        let uri = try libvirt("reading the connection's URI") { try connection.uri() }
        guard let path = definition.os.nvram?.path ?? live ?? UEFIFirmware.defaultNVRAMPath(domain: sourceName, uri: uri) else {
            return nil
        }
        guard try StorageService(connection: connection).isLocal() else {
            throw VMCtlError(
                "vm clone: '\(sourceName)' boots UEFI and vm clone copies its NVRAM file on this host; run vm clone on the daemon's host",
                status: .usage)
        }
        return SourceNVRAM(path: path, exists: FileManager.default.fileExists(atPath: path))
    }

    /// The clone's NVRAM file: `CLONE_VARS.fd` beside the source's, as libvirt names them.
    static func nvramPath(clone: String, beside source: String) -> String {
        URL(fileURLWithPath: source).deletingLastPathComponent().appendingPathComponent("\(clone)_VARS.fd").path
    }

    /// Copies a variable store (owner, mode and contents), refusing to overwrite.
    static func copyNVRAM(_ source: String, to destination: String) throws(VMCtlError) {
        do {
            try FileManager.default.copyItem(atPath: source, toPath: destination)
        } catch {
            throw VMCtlError("vm clone: copying the NVRAM \(source) to \(destination): \(error)")
        }
    }

    /// The source's NoCloud seed, if it has one vmctl can read (a cidata ISO in a pool).
    func sourceSeed(of definition: DomainDefinition) throws(VMCtlError) -> SourceSeed? {
        for (index, disk) in definition.disks.enumerated() where disk.device == .cdrom {
            guard case .file(let path) = disk.source, let data = FileManager.default.contents(atPath: path),
                let image = try? SeedImage(iso: data)
            else { continue }
            guard let volume = try? connection.storageVolume(path: path), let pool = try? volume.pool() else {
                throw .invalid(field: "source", "the seed \(path) is not in a storage pool; the clone's seed goes beside it (or use --keep-identity)")
            }
            return SourceSeed(index: index, image: image, pool: pool)
        }
        return nil
    }

    static func volumeName(clone: String, target: String) -> String { VMVolumeNames.disk(clone, target: target) }

    /// A per-clone serial log: the source's name in the file name becomes the clone's.
    static func renamedLogPath(_ path: String, from source: String, to clone: String) -> String {
        let url = URL(fileURLWithPath: path)
        let file = url.lastPathComponent
        let renamed = file.contains(source) ? file.replacing(source, with: clone) : "\(clone)-\(file)"
        return url.deletingLastPathComponent().appendingPathComponent(renamed).path
    }

    func writableDisks(of definition: DomainDefinition, sourceName: String) throws(VMCtlError) -> [SourceDisk] {
        var result: [SourceDisk] = []
        for (index, disk) in definition.disks.enumerated() where disk.device == .disk && !disk.readOnly {
            guard case .file(let path) = disk.source else {
                throw .invalid(field: "source", "disk \(disk.target) of '\(sourceName)' is not a file; vm clone copies file-backed pool volumes")
            }
            guard let volume = try? connection.storageVolume(path: path), let pool = try? volume.pool() else {
                throw .invalid(field: "source", "disk \(disk.target) of '\(sourceName)' (\(path)) is not in a storage pool; vm clone needs pool volumes")
            }
            result.append(SourceDisk(index: index, target: disk.target, path: path, pool: pool, volume: volume))
        }
        return result
    }

    /// One overlay a linked clone makes on a source disk's current layer.
    struct OverlayRequest {
        var disk: SourceDisk
        var name: String
    }

    /// Makes every overlay at once, each on a thread of its own, and registers
    /// every one made for deletion on failure, even when another failed; then
    /// throws the first failure, in request order.
    func createOverlays(_ requests: [OverlayRequest], rollback: Rollback) throws(VMCtlError) -> [String: StorageVolume] {
        let calls = requests.map { request in
            PendingCall { [self] () throws(VMCtlError) -> StorageVolume in
                try createOverlay(in: request.disk.pool, name: request.name, backing: request.disk.path, capacity: request.disk.volume)
            }
        }
        var made: [String: StorageVolume] = [:]
        var failure: VMCtlError?
        for (request, call) in zip(requests, calls) {
            switch call.wait() {
            case .success(let volume):
                rollback.onFailure("delete volume \(request.disk.pool.name)/\(request.name)") { try volume.delete() }
                made[request.name] = volume
            case .failure(let error):
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return made
    }

    /// A libvirt step run on a thread of its own while the caller goes on;
    /// `wait()` gives its outcome, as often as asked. (libvirt's errors are per
    /// thread: the step reads its own.)
    final class PendingCall<Value: Sendable>: @unchecked Sendable {
        private let group = DispatchGroup()
        private var outcome: Result<Value, VMCtlError>?

        init(_ step: @escaping @Sendable () throws(VMCtlError) -> Value) {
            group.enter()
            detachThread { [self] in
                outcome = Result { () throws(VMCtlError) in try step() }
                group.leave()
            }
        }

        /// Blocks until the step has ended. The group's leave orders the write before this read.
        func wait() -> Result<Value, VMCtlError> {
            group.wait()
            return outcome!
        }
    }

    /// A qcow2 overlay on `source` (the volume at `backing`). Size and format
    /// come from libvirt's view of the source volume: no qemu-img process.
    func createOverlay(in pool: StoragePool, name: String, backing: String, capacity source: StorageVolume) throws(VMCtlError) -> StorageVolume {
        let sourceDefinition = try libvirt("reading \(source.name)") { try StorageVolumeDefinition(xml: try source.xml()) }
        var format = sourceDefinition.format
        if format == nil { format = try headerFormat(of: backing) }
        let definition = StorageVolumeDefinition(
            name: try parsed { try ObjectName(name) }, capacity: sourceDefinition.capacity, format: .qcow2,
            backingStore: BackingStore(path: backing, format: format))
        let xml = try parsed { try definition.xml() }
        return try libvirt("creating volume \(pool.name)/\(name)") { try pool.createVolume(xml: xml) }
    }

    func copyVolume(_ disk: SourceDisk, as name: String) throws(VMCtlError) -> StorageVolume {
        let capacity = try libvirt("reading \(disk.volume.name)") { try disk.volume.info().capacity }
        let definition = StorageVolumeDefinition(name: try parsed { try ObjectName(name) }, capacity: ByteSize(bytes: capacity), format: .qcow2)
        let xml = try parsed { try definition.xml() }
        // libvirt copies in one call; a watcher reads the new volume's allocation meanwhile.
        let total = (try? disk.volume.info().allocation) ?? capacity
        let report = copyProgress?("copying \(disk.path)")
        let watcher = report.map { VolumeCopyWatcher(pool: disk.pool, volume: name, total: total, report: $0) }
        watcher?.start()
        let copied = Result { () throws(VMCtlError) in
            try libvirt("copying \(disk.path) to \(disk.pool.name)/\(name)") {
                try disk.pool.createVolume(xml: xml, copying: disk.volume)
            }
        }
        watcher?.stop()
        if case .success = copied { report?(total, total) }
        return try copied.get()
    }
}

/// Reports a volume's allocation every quarter second while libvirt fills it, until stopped.
final class VolumeCopyWatcher: @unchecked Sendable {
    private let pool: StoragePool
    private let volume: String
    private let total: UInt64
    private let report: @Sendable (UInt64, UInt64) -> Void
    private let lock = Lock()
    private var stopped = false
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(pool: StoragePool, volume: String, total: UInt64, report: @escaping @Sendable (UInt64, UInt64) -> Void) {
        self.pool = pool
        self.volume = volume
        self.total = total
        self.report = report
    }

    func start() {
        detachThread { [self] in
            while !lock.withLock({ stopped }) {
                if let info = try? pool.volume(named: volume).info() { report(min(info.allocation, total), total) }
                _ = wake.wait(timeout: .now() + 0.25)
            }
            finished.signal()
        }
    }

    /// Returns once the watcher has stopped, so no report comes after.
    func stop() {
        lock.withLock { stopped = true }
        wake.signal()
        finished.wait()
    }
}
