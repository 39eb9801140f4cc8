import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// What `vm delete` removed and what it kept, and why.
public struct VMDeleteResult: Codable, Sendable, Equatable {
    public var name: String
    public var deletedVolumes: [String]
    /// Volumes kept: not created by vmctl, or still used by another domain.
    public var keptVolumes: [String]
}

/// Removes a domain and only the volumes vmctl created for it, as recorded in
/// its metadata, never a shared base image or a volume another domain uses.
public struct VMDeleter: Sendable {
    public let connection: Connection
    public var progress: any ProgressReporter

    public init(connection: Connection, progress: any ProgressReporter = SilentProgress()) {
        self.connection = connection
        self.progress = progress
    }

    public func delete(_ nameOrUUID: String, force: Bool) throws(VMCtlError) -> VMDeleteResult {
        let domain: Domain
        do {
            domain = try VMLifecycle(connection: connection).domain(nameOrUUID: nameOrUUID)
        } catch where error.libvirtError?.code == .noDomain {
            // No domain, but perhaps what a killed vm create or vm clone made for it.
            let leftovers = try JournalLeftovers.collect(on: connection, matching: { $0.owners.contains(nameOrUUID) })
            guard !leftovers.isEmpty else { throw error }
            let removed = try leftovers.remove(progress: progress)
            return VMDeleteResult(name: nameOrUUID, deletedVolumes: removed, keptVolumes: [])
        }
        let name = domain.name
        // Orphans a killed vm create or vm clone left for this name or on this source's layers.
        let leftovers = try JournalLeftovers.collect(on: connection, matching: { $0.owners.contains(name) || $0.source == name })
        let definition = try libvirt("reading '\(name)'") { try DomainDefinition(xml: try domain.xml([.inactive])) }
        let active = try libvirt("reading the state of '\(name)'") { try domain.isActive() }
        if active && !force {
            throw VMCtlError("vm delete: '\(name)' is running; stop it first or pass --force", status: .usage)
        }
        // Decide every volume's fate before changing anything.
        let users = try pathUsers(excluding: definition.uuid)
        var result = VMDeleteResult(name: name, deletedVolumes: [], keptVolumes: [])
        var toDelete: [(label: String, volume: StorageVolume)] = []
        for record in definition.metadata?.volumes ?? [] {
            guard case .pool(let pool, let volumeName) = record.location else {
                if case .path(let path) = record.location { result.keptVolumes.append(path) }
                continue
            }
            let label = "\(pool)/\(volumeName)"
            guard record.createdByVMCtl else {
                result.keptVolumes.append(label)
                continue
            }
            // Already gone: nothing to delete. A failed lookup is a failed call, never "gone".
            guard let poolObject = try find("looking up pool \(pool)", missing: .noStoragePool, { try connection.storagePool(named: pool.rawValue) }),
                let volume = try find("looking up volume \(label)", missing: .noStorageVolume, { try poolObject.volume(named: volumeName.rawValue) })
            else { continue }
            if let user = users[try libvirt("reading the path of \(label)") { try volume.path() }]?.first {
                // A linked clone's shared layer: the clone inherits it, so the last user deletes it.
                progress.step("keeping \(label): \(user.name) uses it, and now owns it")
                try handOver(record, to: user)
                result.keptVolumes.append(label)
            } else {
                toDelete.append((label, volume))
            }
        }
        // The killed command's orphans go too: they do not keep a layer alive.
        toDelete = try withoutLayers(toDelete, goingToo: Set(leftovers.volumes.map { "\($0.pool)/\($0.name)" }), result: &result)
        if active {
            progress.step("destroying \(name)")
            try libvirt("destroying '\(name)'") { try domain.destroy() }
        }
        progress.step("undefining \(name)")
        try libvirt("undefining '\(name)'") { try domain.undefine(definition.undefineFlags) }
        result.deletedVolumes += try leftovers.remove(progress: progress)
        for (label, volume) in toDelete {
            progress.step("deleting volume \(label)")
            try libvirt("deleting volume \(label)") { try volume.delete() }
            result.deletedVolumes.append(label)
        }
        // Its host keys: an address or name used later is another guest's.
        let known = KnownHost.of(domain: name, lab: definition.metadata?.lab?.rawValue)
        do { try known.remove() } catch { progress.step("could not remove \(name)'s host keys from \(known.file): \(error.message)") }
        return result
    }

    /// `candidates` less each volume that a volume of any running pool, other than
    /// the candidates, uses as a backing file (directly or down its chain): an
    /// overlay left by someone else must not lose its base. Those are added to
    /// `result.keptVolumes`. Volumes in `goingToo` are deleted in the same run and count as no user.
    func withoutLayers(
        _ candidates: [(label: String, volume: StorageVolume)], goingToo: Set<String> = [], result: inout VMDeleteResult
    ) throws(VMCtlError) -> [(label: String, volume: StorageVolume)] {
        guard !candidates.isEmpty else { return [] }
        let images = ImageService(connection: connection)
        let users = try images.backingUsers(try images.poolVolumes().volumes)
        let deleting = Set(candidates.map(\.label)).union(goingToo)
        var remaining: [(label: String, volume: StorageVolume)] = []
        for candidate in candidates {
            // virStorageVolGetPath
            let path = try libvirt("reading the path of \(candidate.label)") { try candidate.volume.path() }
            if let user = users[path]?.first(where: { !deleting.contains($0) }) {
                progress.step("keeping \(candidate.label): volume \(user) is layered on it")
                result.keptVolumes.append(candidate.label)
            } else {
                remaining.append(candidate)
            }
        }
        return remaining
    }

    /// For every path another domain's disks use, directly or down their backing
    /// chains, the domains using it: a clone's base is never deleted under it.
    func pathUsers(excluding uuid: UUID?) throws(VMCtlError) -> [String: [Domain]] {
        var users: [String: [Domain]] = [:]
        let domains = try libvirt("listing domains") { try connection.domains() }
        for other in domains {
            // One undefined since the listing uses nothing; one that cannot be read is a failed call, never "unused".
            guard let xml = try find("reading domain '\(other.name)'", missing: .noDomain, { try other.xml([.inactive]) }),
                let definition = try? DomainDefinition(xml: xml)
            else { continue }
            if let uuid, definition.uuid == uuid { continue }
            var seen = Set<String>()
            for disk in definition.disks {
                guard case .file(let path) = disk.source else { continue }
                var next: String? = path
                for _ in 0..<32 {
                    guard let current = next, seen.insert(current).inserted else { break }
                    users[current, default: []].append(other)
                    next = try backingPath(of: current)
                }
            }
        }
        return users
    }

    /// Records `record` as created by vmctl in `domain`'s metadata, so deleting
    /// that domain later removes the volume once nothing else uses it.
    func handOver(_ record: VMMetadata.VolumeRecord, to domain: Domain) throws(VMCtlError) {
        try libvirt("recording a shared volume in '\(domain.name)'") {
            var metadata = (try? domain.metadata(namespaceURI: VMMetadata.namespaceURI, impact: .config))
                .flatMap { try? VMMetadata(getMetadataFragment: $0) } ?? VMMetadata()
            metadata.volumes.removeAll { $0.location == record.location }
            metadata.volumes.append(VMMetadata.VolumeRecord(record.location, createdByVMCtl: true))
            let impact: DomainModificationImpact = try domain.isActive() ? [.live, .config] : .config
            try domain.setMetadata(
                try metadata.setMetadataFragment(), key: VMMetadata.prefix, namespaceURI: VMMetadata.namespaceURI, impact: impact)
        }
    }

    /// The backing file of an image: from libvirt when it is a pool volume,
    /// else from its header.
    /// A path that is no volume is read from its header; a failed lookup or read is a failed call.
    func backingPath(of path: String) throws(VMCtlError) -> String? {
        if let volume = try find("looking up the volume at \(path)", missing: .noStorageVolume, { try connection.storageVolume(path: path) }),
            let xml = try find("reading the volume at \(path)", missing: .noStorageVolume, { try volume.xml() })
        {
            // A definition the model cannot read names no backing file it knows.
            return (try? StorageVolumeDefinition(xml: xml))?.backingStore?.path
        }
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return ImageInspector.namedBackingFile(of: path)
    }
}
