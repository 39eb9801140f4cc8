import FoundationEssentials
import Libvirt
import LibvirtXML
import NoCloud

/// `VMCloner.clone` in named steps: what the clones are made from, the
/// checks before the first change, the source's new top layers (linked), and
/// each clone's volumes, seed, logs, NVRAM and definition.
extension VMCloner {
    /// What every clone of one run is made from, read once.
    struct CloneJob {
        var source: Domain
        var sourceName: String
        var sourceXML: String
        var definition: DomainDefinition
        var running: Bool
        var mode: CloneMode
        var disks: [SourceDisk]
        var seed: SourceSeed?
        var nvram: SourceNVRAM?
        /// Whether the daemon is on this machine (serial logs are created here).
        var local: Bool
        var start: Bool
        /// The clones still to make (those a killed run defined are adopted, not made).
        var names: [ObjectName]
    }

    /// A running source: a linked clone needs it shut off, a full one paused (`--suspend-source`).
    func refuseRunning(_ sourceName: String, mode: CloneMode, suspendSource: Bool) throws(VMCtlError) {
        switch mode {
        case .linked:
            throw VMCtlError(
                "vm clone: '\(sourceName)' is running; a linked clone needs it shut off (vmctl vm stop \(sourceName)), or use --full --suspend-source",
                status: .usage)
        case .full where !suspendSource:
            throw VMCtlError(
                "vm clone: '\(sourceName)' is running; pass --suspend-source to pause it while its disks are copied, or stop it first",
                status: .usage)
        case .full:
            break
        }
    }

    /// Every volume name each clone would create must be free, its serial log
    /// and NVRAM paths free, and its name a host name for a new seed.
    func checkNames(_ job: CloneJob, leftovers: JournalLeftovers) throws(VMCtlError) {
        for name in job.names {
            for case .file(let path) in job.definition.serials.map(\.source) {
                let log = Self.renamedLogPath(path, from: job.sourceName, to: name.rawValue)
                if let rule = serialLogs.rule(log, domain: name.rawValue, local: job.local) {
                    throw .invalid(field: "name", "\(name)'s serial log \"\(InputFile.shown(log))\" is not allowed: \(rule)")
                }
            }
            var volumes = job.disks.map { (Self.volumeName(clone: name.rawValue, target: $0.target), $0.pool) }
            if let seed = job.seed { volumes.append((Self.seedName(clone: name.rawValue), seed.pool)) }
            for (volumeName, pool) in volumes {
                // --count's suffix can push a volume's name past the limit: refused before the first overlay.
                guard ObjectName.isValid(volumeName) else {
                    throw .invalid(field: "name", "'\(name)' is too long for its volumes: '\(volumeName.prefix(80))' breaks the rule (\(ObjectName.rule))")
                }
                if try find("looking up volume '\(pool.name)/\(volumeName)'", missing: .noStorageVolume, { try pool.volume(named: volumeName) }) != nil,
                    !leftovers.contains(pool: pool.name, name: volumeName)
                {
                    throw .invalid(field: "name", "pool '\(pool.name)' already holds a volume named '\(volumeName)'")
                }
            }
            if let nvram = job.nvram {
                let path = Self.nvramPath(clone: name.rawValue, beside: nvram.path)
                if FileManager.default.fileExists(atPath: path) {
                    throw .invalid(field: "name", "'\(path)' already exists and would be \(name)'s NVRAM; remove what an earlier VM left there, or choose another name")
                }
            }
            if let seed = job.seed {
                do {
                    _ = try seed.image.reidentified(hostname: name.rawValue, instanceID: "\(name)-check", macs: [:])
                } catch {
                    throw .invalid(field: "name", "'\(name)' cannot be the clone's host name (\(error)); use --keep-identity to keep the source's")
                }
            }
        }
    }

    /// Full copies are written now, every clone's in turn: together they must fit each pool's free space.
    func requireRoomForCopies(_ job: CloneJob, count: Int) throws(VMCtlError) {
        guard job.mode == .full else { return }
        var bytes: [String: (pool: StoragePool, total: UInt64)] = [:]
        for disk in job.disks {
            let allocation = try libvirt("reading \(disk.path)") { try disk.volume.info().allocation }
            bytes[disk.pool.name, default: (disk.pool, 0)].total += allocation * UInt64(job.names.count)
        }
        for (pool, total) in bytes.values {
            try StorageService(connection: connection).requireRoom(total, written: true, in: pool, field: count > 1 ? "--count" : "--full")
        }
    }

    /// Makes every clone of `job` (the changes, under `rollback`).
    func makeClones(_ job: CloneJob, topNames: [String], rollback: Rollback, result: inout VMCloneResult) throws(VMCtlError) {
        guard !job.names.isEmpty else { return }
        var overlays: [String: StorageVolume] = [:]
        var sourceRedefinition: PendingCall<Void>?
        if job.mode == .linked {
            (overlays, sourceRedefinition) = try linkSource(job, topNames: topNames, rollback: rollback, result: &result)
        } else if job.running {
            progress.step("suspending \(job.sourceName) while its disks are copied")
            try libvirt("suspending '\(job.sourceName)'") { try job.source.suspend() }
        }
        defer {
            if job.mode == .full && job.running { try? job.source.resume() }
        }
        for name in job.names {
            try makeClone(name, job: job, overlays: overlays, rollback: rollback, result: &result)
        }
        try sourceRedefinition?.wait().get()
    }

    /// A linked clone's overlays, made at once: the source's new top layers
    /// and each clone's disks all sit on the source's current layers, and each
    /// is a qemu-img run of its own inside libvirtd. The source is then
    /// redefined onto its new tops, while the clones are defined.
    func linkSource(
        _ job: CloneJob, topNames: [String], rollback: Rollback, result: inout VMCloneResult
    ) throws(VMCtlError) -> ([String: StorageVolume], PendingCall<Void>) {
        var requests = zip(job.disks, topNames).map { OverlayRequest(disk: $0, name: $1) }
        for name in job.names {
            requests += job.disks.map { OverlayRequest(disk: $0, name: Self.volumeName(clone: name.rawValue, target: $0.target)) }
        }
        progress.step("creating \(requests.count) overlays at once: \(requests.map { "\($0.disk.pool.name)/\($0.name)" }.joined(separator: ", "))")
        let overlays = try createOverlays(requests, rollback: rollback)

        // Freeze the source's current layers: it continues on its fresh overlays.
        var sourceDefinition = job.definition
        var metadata = sourceDefinition.metadata ?? VMMetadata()
        for (disk, topName) in zip(job.disks, topNames) {
            guard let top = overlays[topName] else { throw VMCtlError("vm clone: overlay \(topName) was not made") }
            let topPath = try libvirt("reading \(topName)") { try top.path() }
            sourceDefinition.disks[disk.index].source = .file(topPath)
            sourceDefinition.disks[disk.index].format = .qcow2
            metadata.volumes.append(try Self.record(pool: disk.pool.name, volume: topName))
            result.createdVolumes.append("\(disk.pool.name)/\(topName)")
        }
        sourceDefinition.metadata = metadata
        let xml = try parsed { try sourceDefinition.xml() }
        let sourceName = job.sourceName
        progress.step("moving \(sourceName) onto fresh overlays; its current disks become the shared base")
        // Redefined while the clones are defined: the domains are independent
        // once every overlay exists. Its outcome is awaited before returning,
        // and before any rollback, which then restores it only if it happened.
        let redefinition = PendingCall { [connection] () throws(VMCtlError) in
            _ = try libvirt("redefining '\(sourceName)'") { try connection.defineDomain(xml: xml) }
        }
        let sourceXML = job.sourceXML
        rollback.onFailure("restore the definition of \(sourceName)") { [connection] in
            if case .success = redefinition.wait() {
                _ = try connection.defineDomain(xml: sourceXML, validate: false)
            }
        }
        return (overlays, redefinition)
    }

    /// A volume the clone owns, for its metadata.
    static func record(pool: String, volume: String) throws(VMCtlError) -> VMMetadata.VolumeRecord {
        .init(.pool(pool: try parsed { try ObjectName(pool) }, volume: try parsed { try ObjectName(volume) }), createdByVMCtl: true)
    }

    /// One clone: its disks, new MACs, its own seed, logs and NVRAM, then its definition (and start).
    func makeClone(
        _ name: ObjectName, job: CloneJob, overlays: [String: StorageVolume], rollback: Rollback, result: inout VMCloneResult
    ) throws(VMCtlError) {
        var clone = job.definition
        clone.name = name
        clone.uuid = nil
        var metadata = VMMetadata(lab: job.definition.metadata?.lab, role: job.definition.metadata?.role, volumes: [])
        try cloneDisks(name, job: job, overlays: overlays, into: &clone, metadata: &metadata, rollback: rollback, result: &result)
        var macs: [String: String] = [:]
        for index in clone.interfaces.indices {
            let mac = MACAddress.random()
            if let old = clone.interfaces[index].mac { macs[old.description] = mac.description }
            clone.interfaces[index].mac = mac
        }
        var hostKeys: [SSHHostKey] = []
        if let seed = job.seed {
            // The clone's own host keys, with its own identity.
            if seed.image.takesHostKeys { hostKeys = try HostKeyMaker.make() }
            try writeSeed(seed, for: name, job: job, macs: macs, hostKeys: hostKeys, into: &clone, metadata: &metadata,
                          rollback: rollback, result: &result)
        }
        // Other read-only disks (installers, a kept seed) stay shared and are not the clone's to delete.
        for (index, disk) in job.definition.disks.enumerated() where (disk.readOnly || disk.device == .cdrom) && index != job.seed?.index {
            if case .file(let path) = disk.source { metadata.volumes.append(.init(.path(path), createdByVMCtl: false)) }
        }
        metadata.login = job.definition.metadata?.login
        clone.metadata = metadata
        // A fixed display port would clash with the source's: libvirt picks the clone's.
        for index in clone.graphics.indices where clone.graphics[index].port != nil {
            clone.graphics[index].port = nil
        }
        try ownLogsAndNVRAM(name, job: job, into: &clone, rollback: rollback)
        // A clone that keeps its identity keeps the source's host keys too.
        let publicKeys = job.seed != nil ? hostKeys.map(\.publicKey)
            : try KnownHost.of(domain: job.sourceName, lab: job.definition.metadata?.lab?.rawValue).keys()
        try KnownHost.record(publicKeys, for: clone, rollback: rollback, progress: progress)
        let xml = try parsed { try clone.xml() }
        progress.step("defining \(name)")
        let defined = try libvirt("defining '\(name)'") { try connection.defineDomain(xml: xml) }
        let flags = clone.undefineFlags
        rollback.onFailure("undefine \(name)") { try defined.undefine(flags) }
        if job.start {
            progress.step("starting \(name)")
            try libvirt("starting '\(name)'") { try defined.start() }
            rollback.onFailure("destroy \(name)") { try defined.destroy() }
        }
    }

    /// The clone's disks: its overlays (linked) or copies (full), qcow2 both.
    func cloneDisks(
        _ name: ObjectName, job: CloneJob, overlays: [String: StorageVolume], into clone: inout DomainDefinition,
        metadata: inout VMMetadata, rollback: Rollback, result: inout VMCloneResult
    ) throws(VMCtlError) {
        for disk in job.disks {
            let volumeName = Self.volumeName(clone: name.rawValue, target: disk.target)
            let created: StorageVolume
            switch job.mode {
            case .linked:
                // On the source's frozen layer, made with the source's new top.
                guard let overlay = overlays[volumeName] else { throw VMCtlError("vm clone: overlay \(volumeName) was not made") }
                created = overlay
            case .full:
                progress.step("copying \(disk.path) to \(disk.pool.name)/\(volumeName)")
                created = try copyVolume(disk, as: volumeName)
                rollback.onFailure("delete volume \(disk.pool.name)/\(volumeName)") { try created.delete() }
            }
            result.createdVolumes.append("\(disk.pool.name)/\(volumeName)")
            clone.disks[disk.index].source = .file(try libvirt("reading \(volumeName)") { try created.path() })
            // An overlay or a copy, both qcow2: stated, whatever the source disk was.
            clone.disks[disk.index].format = .qcow2
            metadata.volumes.append(try Self.record(pool: disk.pool.name, volume: volumeName))
        }
    }

    /// The clone's own cloud-init seed: the source's, with the clone's host name, a new instance-id, its MACs and host keys.
    func writeSeed(
        _ seed: SourceSeed, for name: ObjectName, job: CloneJob, macs: [String: String], hostKeys: [SSHHostKey], into clone: inout DomainDefinition,
        metadata: inout VMMetadata, rollback: Rollback, result: inout VMCloneResult
    ) throws(VMCtlError) {
        let seedName = Self.seedName(clone: name.rawValue)
        let instanceID = "\(name)-\(UUID().uuidString.prefix(8).lowercased())"
        progress.step("writing \(name)'s own cloud-init seed \(seed.pool.name)/\(seedName) (host name \(name), instance-id \(instanceID))")
        let image: Data
        do {
            image = try seed.image.reidentified(hostname: name.rawValue, instanceID: instanceID, macs: macs,
                                                bootcmd: [Self.machineIDCommand])
                .replacingHostKeys(hostKeys).isoImage(date: Date(timeIntervalSince1970: 0))
        } catch {
            throw VMCtlError("vm clone: making \(name)'s seed from \(job.sourceName)'s: \(error)")
        }
        let created = try SeedVolume.create(in: seed.pool, name: seedName, contents: image)
        rollback.onFailure("delete volume \(seed.pool.name)/\(seedName)") { try created.delete() }
        result.createdVolumes.append("\(seed.pool.name)/\(seedName)")
        clone.disks[seed.index].source = .file(try libvirt("reading \(seedName)") { try created.path() })
        metadata.volumes.append(try Self.record(pool: seed.pool.name, volume: seedName))
    }

    /// The clone's serial logs (renamed after it, created here for a local
    /// daemon) and its own NVRAM: a copy when the source has one, else
    /// libvirt makes it from the template at first start.
    func ownLogsAndNVRAM(_ name: ObjectName, job: CloneJob, into clone: inout DomainDefinition, rollback: Rollback) throws(VMCtlError) {
        for index in clone.serials.indices {
            if case .file(let path) = clone.serials[index].source {
                let log = Self.renamedLogPath(path, from: job.sourceName, to: name.rawValue)
                clone.serials[index].source = .file(log)
                if job.local, try serialLogs.create(log, domain: name.rawValue) {
                    rollback.onFailure("remove \(log)") { [serialLogs] in try serialLogs.remove(log) }
                }
            }
        }
        guard let nvram = job.nvram else { return }
        let path = Self.nvramPath(clone: name.rawValue, beside: nvram.path)
        if nvram.exists {
            progress.step("copying \(job.sourceName)'s NVRAM to \(path)")
            try Self.copyNVRAM(nvram.path, to: path)
            rollback.onFailure("delete \(path)") {
                if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            }
        }
        clone.os.nvram = NVRAMStore(path: path, template: job.definition.os.nvram?.template)
    }
}
