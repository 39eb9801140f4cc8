import FoundationEssentials
import Libvirt
import LibvirtXML
import TextSupport

#if canImport(Glibc)
import Glibc
#endif

/// What `vmctl pool create` was asked for, as typed.
public struct PoolCreateRequest: Sendable, Hashable {
    public var name: String
    public var kind: PoolKind
    public var target: String?
    public var sourceDevice: String?
    public var sourceHost: String?
    public var sourcePath: String?
    public var sourceName: String?
    public var autostart: Bool
    public var start: Bool

    public init(
        name: String, kind: PoolKind, target: String? = nil, sourceDevice: String? = nil, sourceHost: String? = nil,
        sourcePath: String? = nil, sourceName: String? = nil, autostart: Bool = false, start: Bool = true
    ) {
        self.name = name
        self.kind = kind
        self.target = target
        self.sourceDevice = sourceDevice
        self.sourceHost = sourceHost
        self.sourcePath = sourcePath
        self.sourceName = sourceName
        self.autostart = autostart
        self.start = start
    }
}

/// The logic of `vmctl pool …` and `vmctl vol …`.
public struct StorageService {
    public let connection: Connection
    /// Starts a pool; tests replace it to force a failure.
    var startPool: (StoragePool) throws -> Void = { pool in try pool.start() }

    public init(connection: Connection) { self.connection = connection }

    // MARK: - Lookup

    /// Looks a pool up; a missing one is bad input (exit 64) naming it.
    public func pool(named name: String) throws(VMCtlError) -> StoragePool {
        try lookUp("looking up pool '\(name)'", missing: .noStoragePool, field: .option("pool"), notFound: "no storage pool named '\(name)'") {
            try connection.storagePool(named: name)
        }
    }

    /// Looks a pool up and requires it to be running (volumes exist only then).
    func activePool(named name: String) throws(VMCtlError) -> StoragePool {
        let pool = try pool(named: name)
        guard try libvirt("reading pool '\(name)'", { try pool.isActive() }) else {
            throw .invalid(field: "pool", "storage pool '\(name)' is not running; start it with 'vmctl pool start \(name)'")
        }
        return pool
    }

    /// Looks a volume up in a pool; a missing one is bad input naming both.
    public func volume(_ name: String, in pool: StoragePool) throws(VMCtlError) -> StorageVolume {
        try lookUp("looking up volume '\(name)' in pool '\(pool.name)'", missing: .noStorageVolume,
                   field: .option("volume"), notFound: "no volume named '\(name)' in pool '\(pool.name)'") {
            try pool.volume(named: name)
        }
    }

    // MARK: - Pools

    /// Checks the request and returns the definition it would create. Changes nothing.
    public func plan(_ request: PoolCreateRequest) throws(VMCtlError) -> StoragePoolDefinition {
        let name = try parsed(as: .pool(.name)) { () throws in try ObjectName(request.name, field: "name") }
        if try find("looking up pool '\(request.name)'", missing: .noStoragePool, { try connection.storagePool(named: request.name) }) != nil {
            throw .invalid(field: .pool(.name), "a storage pool named '\(request.name)' already exists")
        }
        let allowed: [PoolKind: Set<PoolField>] = [
            .dir: [.target], .fs: [.target, .sourceDevice], .netfs: [.target, .sourceHost, .sourcePath],
            .logical: [.target, .sourceDevice, .sourceName],
        ]
        let given: [(PoolField, String?)] = [
            (.target, request.target), (.sourceDevice, request.sourceDevice), (.sourceHost, request.sourceHost),
            (.sourcePath, request.sourcePath), (.sourceName, request.sourceName),
        ]
        for (flag, value) in given where value != nil && !(allowed[request.kind]?.contains(flag) ?? false) {
            let users = PoolKind.allCases.filter { allowed[$0]?.contains(flag) ?? false }.map(\.rawValue)
            throw .invalid(field: .pool(flag), "not used by \(request.kind.rawValue) pools (only \(users.joined(separator: ", ")))")
        }
        switch request.kind {
        case .dir, .fs, .netfs:
            if request.target == nil { throw .invalid(field: .pool(.target), "a \(request.kind.rawValue) pool needs a target directory") }
        case .logical: break
        }
        if request.kind == .fs && request.sourceDevice == nil {
            throw .invalid(field: .pool(.sourceDevice), "an fs pool needs the block device to mount")
        }
        if request.kind == .netfs {
            if request.sourceHost == nil { throw .invalid(field: .pool(.sourceHost), "a netfs pool needs the NFS server") }
            if request.sourcePath == nil { throw .invalid(field: .pool(.sourcePath), "a netfs pool needs the exported directory") }
        }
        if request.kind == .logical && request.sourceName == nil && request.sourceDevice == nil {
            throw .invalid(field: .pool(.sourceName), "a logical pool needs a volume group name (or --source-dev to build one)")
        }
        for (field, path) in [(PoolField.target, request.target), (.sourceDevice, request.sourceDevice), (.sourcePath, request.sourcePath)] {
            if let path, !path.hasPrefix("/") || path.contains("\0") {
                throw .invalid(field: .pool(field), ModelError(field: field.rawValue, value: path, rule: "must be an absolute path").statement)
            }
        }
        if let target = request.target {
            let normalized = URL(fileURLWithPath: target).standardized.path
            if let rule = Self.targetRule(normalized, local: try isLocal()) {
                throw .invalid(field: .pool(.target), "\(InputFile.shown(target)) \(rule)")
            }
            let pools = try libvirt("listing pools") { try connection.storagePools() }
            for other in pools {
                guard let xml = try? other.xml(), let definition = try? StoragePoolDefinition(xml: xml),
                    let path = definition.targetPath, URL(fileURLWithPath: path).standardized.path == normalized
                else { continue }
                throw .invalid(field: .pool(.target), "\(target) is already the target of pool '\(other.name)'")
            }
        }
        let definition = StoragePoolDefinition(
            type: StoragePoolType(rawValue: request.kind.rawValue), name: name,
            source: PoolSource(
                hosts: request.sourceHost.map { [$0] } ?? [], devices: request.sourceDevice.map { [$0] } ?? [],
                dir: request.sourcePath, name: request.sourceName),
            targetPath: request.target)
        do {
            _ = try definition.xml()
        } catch let error as ModelError {
            // The model's paths are the definition's; the error names the input that set it.
            let inputs: [(String, PoolField)] = [
                ("target.path", .target), ("source.device", .sourceDevice), ("source.host", .sourceHost),
                ("source.dir", .sourcePath), ("source.name", .sourceName),
            ]
            let field = inputs.first { error.field.hasPrefix($0.0) }.map { InputField.pool($0.1) } ?? .model(error.field)
            throw .invalid(field: field, error.statement)
        } catch {
            throw VMCtlError("\(error)", status: .usage)
        }
        return definition
    }

    /// Directories a pool must never take over: the root and the kernel's and
    /// the system's own trees.
    static let systemDirectories: Set<String> = ["/", "/proc", "/sys", "/dev", "/run", "/boot", "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64"]

    /// Why vmctl writes nothing into directory `path` (standardized), or nil: the
    /// one rule for pool targets, serial logs and a lab's `serial_dir`.
    static func systemDirectoryRule(_ path: String) -> String? {
        guard systemDirectories.contains(path) || ["/proc/", "/sys/", "/dev/"].contains(where: path.hasPrefix) else { return nil }
        return "is a system directory"
    }

    /// Why `path` (standardized) cannot be a pool's target, or nil. On a
    /// local daemon an existing target must be a directory.
    static func targetRule(_ path: String, local: Bool) -> String? {
        if let rule = systemDirectoryRule(path) {
            return rule + "; give a directory of its own, such as /var/lib/libvirt/images/NAME"
        }
        guard local else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }  // libvirt's build makes it
        return info.st_mode & S_IFMT == S_IFDIR ? nil : "exists and is \(InputFile.kind(info.st_mode)), not a directory"
    }

    /// Plans the pool and makes it through the one apply path (`apply`).
    public func createPool(_ request: PoolCreateRequest) throws(VMCtlError) -> PoolSummary {
        let pool = try apply(try plan(request), request: request)
        return try summary(of: pool)
    }

    public func listPools() throws(VMCtlError) -> [PoolSummary] {
        let pools = try libvirt("listing pools") { try connection.storagePools() }
        var out: [PoolSummary] = []
        for pool in pools {
            do {
                out.append(try summary(of: pool))
            } catch where error.libvirtError?.code == .noStoragePool {
                // Removed by someone else since the listing: not there any more.
            }
        }
        return out.sorted { $0.name < $1.name }
    }

    public func showPool(_ name: String) throws(VMCtlError) -> PoolDetail {
        let pool = try pool(named: name)
        let s = try summary(of: pool)
        let definition = try? StoragePoolDefinition(xml: try libvirt("reading pool '\(name)'") { try pool.xml() })
        let source = definition?.source ?? PoolSource()
        return PoolDetail(
            pool: s,
            source: PoolSourceInfo(hosts: source.hosts, devices: source.devices, dir: source.dir, name: source.name, format: source.format),
            volumeList: s.active ? try listVolumes(in: pool) : nil)
    }

    public func startPool(_ name: String) throws(VMCtlError) -> ActionResult {
        let pool = try pool(named: name)
        try libvirt("starting pool '\(name)'") { try pool.start() }
        return ActionResult(kind: "pool", name: name, action: "started")
    }

    public func stopPool(_ name: String) throws(VMCtlError) -> ActionResult {
        let pool = try pool(named: name)
        try libvirt("stopping pool '\(name)'") { try pool.destroy() }
        return ActionResult(kind: "pool", name: name, action: "stopped")
    }

    public func refreshPool(_ name: String) throws(VMCtlError) -> ActionResult {
        let pool = try activePool(named: name)
        try libvirt("refreshing pool '\(name)'") { try pool.refresh() }
        return ActionResult(kind: "pool", name: name, action: "refreshed")
    }

    /// Stops (if running) and undefines the pool; volumes stay on disk. With
    /// `deleteData`, also removes the pool's (empty) storage, refusing while it holds volumes.
    public func deletePool(_ name: String, deleteData: Bool) throws(VMCtlError) -> ActionResult {
        let pool = try pool(named: name)
        if deleteData {
            var startedHere = false
            if try !libvirt("reading pool '\(name)'", { try pool.isActive() }) {
                try libvirt("starting pool '\(name)' to look for volumes") { try pool.start() }
                startedHere = true
            }
            let volumes = try libvirt("listing the volumes of pool '\(name)'") {
                try pool.refresh()
                return try pool.volumes().map(\.name).sorted()
            }
            if !volumes.isEmpty {
                if startedHere { try? pool.destroy() }
                let shown = volumes.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (volumes.count > 5 ? ", …" : "")
                throw VMCtlError(
                    "pool '\(name)' still holds \(volumes.count) volume\(volumes.count == 1 ? "" : "s") (\(shown)); delete them first or leave out --delete-data")
            }
        }
        try libvirt("deleting pool '\(name)'") {
            if try pool.isActive() { try pool.destroy() }
            if deleteData { try pool.delete() }
            if try pool.isPersistent() { try pool.undefine() }
        }
        return ActionResult(kind: "pool", name: name, action: "deleted")
    }

    // MARK: - Volumes

    public func listVolumes(pool name: String) throws(VMCtlError) -> [VolumeSummary] {
        try listVolumes(in: try activePool(named: name))
    }

    func listVolumes(in pool: StoragePool) throws(VMCtlError) -> [VolumeSummary] {
        let volumes = try libvirt("listing the volumes of pool '\(pool.name)'") { try pool.volumes() }
        var out: [VolumeSummary] = []
        for volume in volumes {
            do {
                out.append(try summary(of: volume, pool: pool.name))
            } catch where error.libvirtError?.code == .noStorageVolume {
                // Deleted by someone else since the listing.
            }
        }
        return out.sorted { $0.name < $1.name }
    }

    /// The one size rule for a new or grown volume of `bytes` in a pool of
    /// `capacity` bytes with `available` free (`virStoragePoolGetInfo`), or nil when it fits. Thin volumes may
    /// together promise more than the free space, as libvirt allows, but none
    /// may be larger than its whole pool; a volume `written` in full now (a
    /// copy) must fit in the free space.
    static func roomRule(_ bytes: UInt64, written: Bool, pool: String, capacity: UInt64, available: UInt64) -> String? {
        let size = ByteSize(bytes: bytes)
        if bytes > capacity {
            return "\(size) is not allowed: more than pool '\(pool)' holds (\(human(capacity)) in all)"
        }
        if written, bytes > available {
            return "a copy of \(size) is not allowed: pool '\(pool)' has \(human(available)) free"
        }
        return nil
    }

    /// The size and free space of the file system a dir pool at `target` on
    /// this machine will have (`statvfs(3)` of its nearest existing ancestor,
    /// as libvirt measures a dir pool); nil when none can be read.
    static func localSpace(under target: String) -> PoolSpace? {
        var path = target
        while !path.isEmpty {
            var stats = statvfs()
            if statvfs(path, &stats) == 0 {
                let unit = UInt64(stats.f_frsize)
                return PoolSpace(capacity: UInt64(stats.f_blocks) * unit, available: UInt64(stats.f_bavail) * unit)
            }
            guard errno == ENOENT || errno == ENOTDIR, path != "/" else { return nil }
            path = path.deletingLastPathComponent
        }
        return nil
    }

    /// Refuses `bytes` in `pool` by ``roomRule(_:written:pool:capacity:available:)``, naming `field`.
    func requireRoom(_ bytes: UInt64, written: Bool, in pool: StoragePool, field: String) throws(VMCtlError) {
        let info = try libvirt("reading pool '\(pool.name)'") { try pool.info() }
        if let rule = Self.roomRule(bytes, written: written, pool: pool.name, capacity: info.capacity, available: info.available) {
            throw .invalid(field: field, rule)
        }
    }

    /// Creates an empty volume (sparse), or a qcow2 overlay of `backing` (a path or a volume of the same pool).
    public func createVolume(
        pool poolName: String, name nameText: String, size sizeText: String?, format formatText: String?, backing: String?
    ) throws(VMCtlError) -> VolumeSummary {
        let name = try parsed { () throws in try ObjectName(nameText, field: "name") }
        var size = try sizeText.map { text throws(VMCtlError) in try parsed { () throws in try ByteSize(parsing: text, field: "--size") } }
        if let size, size.bytes == 0 { throw .invalid(field: "--size", "must be more than 0 bytes") }
        let format = try parseFormat(formatText) ?? .qcow2
        let pool = try activePool(named: poolName)
        try requireFree(name: nameText, in: pool)
        var backingStore: BackingStore?
        if let backing {
            guard format == .qcow2 else { throw .invalid(field: "--backing", "an overlay must be qcow2; leave out --format raw") }
            let source = try backingVolume(backing, in: pool)
            let path = try libvirt("reading the backing volume") { try source.path() }
            let sourceDefinition = try? StorageVolumeDefinition(xml: try libvirt("reading the backing volume") { try source.xml() })
            let capacity = try libvirt("reading the backing volume") { try source.info().capacity }
            if let given = size, given.bytes < capacity {
                throw .invalid(field: "--size", "\(given) is smaller than the backing image (\(ByteSize(bytes: capacity)))")
            }
            size = size ?? ByteSize(bytes: capacity)
            backingStore = try checkedBacking(path, told: sourceDefinition?.format, field: "--backing")
        }
        guard let size else { throw .invalid(field: "--size", "required unless --backing is given") }
        try requireRoom(size.bytes, written: false, in: pool, field: "--size")
        let definition = StorageVolumeDefinition(
            name: name, capacity: size, allocation: ByteSize(bytes: 0), format: DiskFormat(rawValue: format.rawValue),
            backingStore: backingStore)
        let xml = try parsed { () throws in try definition.xml() }
        // An overlay on an image: held until it exists, so `image prune` sees it (Docs/ownership.md).
        let lock = try backingStore.map { backing throws(VMCtlError) in
            let uri = try libvirt("reading the connection's URI") { try connection.uri() }
            return try ImageService.imageLock(uri: uri, path: backing.path, progress: SilentProgress())
        }
        defer { withExtendedLifetime(lock) {} }
        // virStorageVolCreateXML; libvirt refuses a backing file that is gone (pruned before the lock).
        let volume = try libvirt("creating volume '\(nameText)' in pool '\(poolName)'") {
            try pool.createVolume(xml: xml)
        }
        return try summary(of: volume, pool: poolName)
    }

    /// Deletes a volume, unless (without `force`) a domain uses it, directly
    /// or down a backing chain, or another volume has it as its backing file.
    public func deleteVolume(pool poolName: String, name: String, force: Bool = false) throws(VMCtlError) -> ActionResult {
        let pool = try activePool(named: poolName)
        let volume = try volume(name, in: pool)
        if !force, let path = try? volume.path() {
            let users = try VMDeleter(connection: connection).pathUsers(excluding: nil)[path] ?? []
            if !users.isEmpty {
                throw .invalid(field: "volume", "'\(poolName)/\(name)' is used by \(users.map(\.name).joined(separator: ", ")); delete or change those first, or pass --force")
            }
            if let child = try backedVolume(onto: path) {
                throw .invalid(field: "volume", "'\(poolName)/\(name)' is the backing file of \(child); deleting it would break that volume (pass --force to delete anyway)")
            }
        }
        try libvirt("deleting volume '\(name)' in pool '\(poolName)'") { try volume.delete() }
        return ActionResult(kind: "volume", name: name, action: "deleted", pool: poolName)
    }

    /// The first volume (`POOL/VOLUME`), in any running pool, whose backing file
    /// is `path`, else the first whose backing chain reaches it: the one
    /// inventory `image prune` and `vm delete` use.
    func backedVolume(onto path: String) throws(VMCtlError) -> String? {
        let images = ImageService(connection: connection)
        let volumes = try images.poolVolumes().volumes
        if let direct = volumes.values.filter({ $0.backing == path }).map({ "\($0.pool)/\($0.name)" }).min() { return direct }
        return try images.backingUsers(volumes)[path]?.sorted().first
    }

    /// A full, independent copy of `source` named `newName` in the same pool.
    public func cloneVolume(pool poolName: String, source: String, name newText: String) throws(VMCtlError) -> VolumeSummary {
        let newName = try parsed { () throws in try ObjectName(newText, field: "name") }
        let pool = try activePool(named: poolName)
        let original = try volume(source, in: pool)
        try requireFree(name: newText, in: pool)
        let (info, sourceXML) = try libvirt("reading volume '\(source)'") {
            (try original.info(), try original.xml())
        }
        let told = (try? StorageVolumeDefinition(xml: sourceXML))?.format
        let path = try libvirt("reading volume '\(source)'") { try original.path() }
        let format = try checkedBacking(path, told: told, field: "volume").format
        try requireRoom(info.allocation, written: true, in: pool, field: "volume")
        let definition = StorageVolumeDefinition(
            name: newName, capacity: ByteSize(bytes: info.capacity), allocation: ByteSize(bytes: 0), format: format)
        let xml = try parsed { () throws in try definition.xml() }
        let copy = try libvirt("cloning volume '\(source)' to '\(newText)' in pool '\(poolName)'") {
            try pool.createVolume(xml: xml, copying: original)
        }
        return try summary(of: copy, pool: poolName)
    }

    /// Changes a volume's capacity; shrinking needs `shrink`.
    public func resizeVolume(pool poolName: String, name: String, size sizeText: String, shrink: Bool) throws(VMCtlError) -> VolumeSummary {
        let size = try parsed { () throws in try ByteSize(parsing: sizeText, field: "size") }
        if size.bytes == 0 { throw .invalid(field: "size", "must be more than 0 bytes") }
        let pool = try activePool(named: poolName)
        let volume = try volume(name, in: pool)
        let current = try libvirt("reading volume '\(name)'") { try volume.info().capacity }
        if size.bytes < current && !shrink {
            throw .invalid(
                field: "size",
                "\(size) is smaller than the current \(ByteSize(bytes: current)); pass --shrink to shrink (data past the new end is lost)")
        }
        if size.bytes > current { try requireRoom(size.bytes, written: false, in: pool, field: "size") }
        if size.bytes != current {
            try libvirt("resizing volume '\(name)' in pool '\(poolName)'") {
                try volume.resize(to: size.bytes, flags: size.bytes < current ? [.shrink] : [])
            }
        }
        return try summary(of: volume, pool: poolName)
    }

    /// Uploads a local image file into a pool: a volume with the file's virtual size
    /// and format, then the file's bytes copied into the volume's path. A failed copy
    /// deletes the volume. `progress` gets (bytes done, bytes total).
    public func importVolume(
        pool poolName: String, file: String, name nameText: String?, format formatText: String?,
        progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws(VMCtlError) -> VolumeSummary {
        try InputFile.requireRegular(file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file, field: .option("file"))
        let given = try parseFormat(formatText)
        let volumeName = nameText ?? URL(fileURLWithPath: file).lastPathComponent
        let name = try parsed { () throws in
            try ObjectName(volumeName, field: nameText == nil ? "--name" : "name")
        }
        let pool = try activePool(named: poolName)
        try requireFree(name: volumeName, in: pool)
        let local = try isLocal()
        let image = try importable(file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file, field: "file")
        let detected = VolumeFormat(rawValue: image.format.rawValue) ?? .raw
        if let given, given != detected {
            throw .invalid(field: "--format", "'\(file)' is \(detected.rawValue) (its header), not \(given.rawValue)")
        }
        guard image.virtualSize > 0 else { throw .invalid(field: "file", "'\(file)' has a virtual size of 0 bytes") }
        try requireRoom(image.virtualSize, written: false, in: pool, field: "file")
        let definition = StorageVolumeDefinition(
            name: name, capacity: ByteSize(bytes: image.virtualSize), allocation: ByteSize(bytes: 0),
            format: DiskFormat(rawValue: detected.rawValue))
        let xml = try parsed { () throws in try definition.xml() }
        let volume = try libvirt("creating volume '\(volumeName)' in pool '\(poolName)'") {
            try pool.createVolume(xml: xml)
        }
        do {
            if local {
                // Same filesystem: a sparse copy straight into the volume's file.
                let path = try libvirt("reading volume '\(volumeName)'") { try volume.path() }
                try copyFile(from: file, to: path, progress: progress)
            } else {
                try upload(file, into: volume, progress: progress)
            }
            try? pool.refresh()
            let refreshed = try self.volume(volumeName, in: pool)
            return try summary(of: refreshed, pool: poolName)
        } catch {
            try? volume.delete()
            throw VMCtlError("\(error.message); volume '\(volumeName)' was removed again", status: error.status, libvirtError: error.libvirtError)
        }
    }

    // MARK: - Helpers

    func summary(of pool: StoragePool) throws(VMCtlError) -> PoolSummary {
        let name = pool.name
        return try libvirt("reading pool '\(name)'") {
            let info = try pool.info()
            let definition = try? StoragePoolDefinition(xml: try pool.xml())
            let active = try pool.isActive()
            return PoolSummary(
                name: name, uuid: try pool.uuid(), type: definition?.type.rawValue ?? "unknown", active: active,
                autostart: try pool.autostart(), persistent: try pool.isPersistent(), state: info.state.description,
                target: definition?.targetPath, capacityBytes: info.capacity, allocationBytes: info.allocation,
                availableBytes: info.available, volumes: active ? try pool.volumes().count : nil)
        }
    }

    func summary(of volume: StorageVolume, pool: String) throws(VMCtlError) -> VolumeSummary {
        let name = volume.name
        return try libvirt("reading volume '\(name)'") {
            let info = try volume.info()
            let definition = try? StorageVolumeDefinition(xml: try volume.xml())
            return VolumeSummary(
                name: name, pool: pool, path: try volume.path(), type: info.type.description, format: definition?.format?.rawValue,
                capacityBytes: info.capacity, allocationBytes: info.allocation, backing: definition?.backingStore?.path)
        }
    }

    func parseFormat(_ text: String?) throws(VMCtlError) -> VolumeFormat? {
        guard let text else { return nil }
        guard let format = VolumeFormat(rawValue: text) else {
            throw VMCtlError(ModelError(field: "--format", value: text, rule: "use qcow2 or raw").description, status: .usage)
        }
        return format
    }

    func requireFree(name: String, in pool: StoragePool) throws(VMCtlError) {
        if try find("looking up volume '\(name)' in pool '\(pool.name)'", missing: .noStorageVolume, { try pool.volume(named: name) }) != nil {
            throw .invalid(field: "name", "pool '\(pool.name)' already has a volume named '\(name)'")
        }
    }

    /// A backing image given as a path (any pool) or as a volume name in `pool`.
    func backingVolume(_ text: String, in pool: StoragePool) throws(VMCtlError) -> StorageVolume {
        if text.contains("/") {
            return try lookUp("looking up '\(text)'", missing: .noStorageVolume, field: .option("--backing"),
                              notFound: "'\(text)' is not a volume of any storage pool (refresh the pool, or import the image first)") {
                try connection.storageVolume(path: text)
            }
        }
        return try lookUp("looking up volume '\(text)'", missing: .noStorageVolume, field: .option("--backing"),
                          notFound: "no volume named '\(text)' in pool '\(pool.name)'") { try pool.volume(named: text) }
    }

    /// Import writes the volume's file directly, so the daemon must be on this host.
    /// Whether the daemon shares this machine's filesystem (no host in the URI).
    func isLocal() throws(VMCtlError) -> Bool {
        let uri = try libvirt("reading the connection's URI") { try connection.uri() }
        return LibvirtURI(uri)?.isLocal ?? true
    }

    /// Sends a file into a volume over the connection (virStorageVolUpload), for remote daemons.
    func upload(_ file: String, into volume: StorageVolume, progress: ((UInt64, UInt64) -> Void)?) throws(VMCtlError) {
        guard let source = ReadableFile(path: file) else { throw VMCtlError("cannot open '\(file)'") }
        let size = source.size
        try libvirt("uploading '\(file)' into '\(volume.name)'") {
            let stream = try Stream(connection: connection)
            try volume.upload(stream, length: size)
            var sent: UInt64 = 0
            while true {
                let chunk = source.read(upTo: 4 << 20)
                if chunk.isEmpty { break }
                do {
                    try stream.send(chunk)
                } catch {
                    stream.abort()
                    throw error
                }
                sent += UInt64(chunk.count)
                progress?(sent, size)
            }
            try stream.finish()
        }
    }
}

/// Copies `source` over `destination` in 4 MiB chunks, leaving all-zero chunks as holes.
func copyFile(from source: String, to destination: String, progress: ((UInt64, UInt64) -> Void)?) throws(VMCtlError) {
    let input = open(source, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else { throw VMCtlError("cannot open '\(source)': \(String(cString: strerror(errno)))") }
    defer { close(input) }
    let output = open(destination, O_WRONLY | O_TRUNC | O_CLOEXEC)
    guard output >= 0 else { throw VMCtlError("cannot open '\(destination)' for writing: \(String(cString: strerror(errno)))") }
    var status = stat()
    guard fstat(input, &status) == 0 else { close(output); throw VMCtlError("cannot read '\(source)': \(String(cString: strerror(errno)))") }
    let total = UInt64(status.st_size)
    let chunk = 4 << 20
    var buffer = [UInt8](repeating: 0, count: chunk)
    var done: UInt64 = 0
    var failure: String?
    while failure == nil {
        let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, chunk) }
        if count < 0 {
            if errno == EINTR { continue }
            failure = "reading '\(source)': \(String(cString: strerror(errno)))"
            break
        }
        if count == 0 { break }
        if buffer[0..<count].allSatisfy({ $0 == 0 }) {
            if lseek(output, off_t(count), SEEK_CUR) < 0 { failure = "seeking in '\(destination)': \(String(cString: strerror(errno)))" }
        } else {
            var written = 0
            while written < count {
                let n = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "writing '\(destination)': \(String(cString: strerror(errno)))"
                    break
                }
                written += n
            }
        }
        done += UInt64(count)
        progress?(done, total)
    }
    if failure == nil && ftruncate(output, off_t(done)) != 0 {
        failure = "writing '\(destination)': \(String(cString: strerror(errno)))"
    }
    if failure == nil && fsync(output) != 0 {
        failure = "writing '\(destination)': \(String(cString: strerror(errno)))"
    }
    if close(output) != 0 && failure == nil {
        failure = "writing '\(destination)': \(String(cString: strerror(errno)))"
    }
    if let failure { throw VMCtlError(failure) }
}

/// A pool's size and free space in bytes, for the size checks made before anything is created.
public struct PoolSpace: Sendable, Equatable {
    public var capacity: UInt64
    public var available: UInt64

    public init(capacity: UInt64, available: UInt64) {
        self.capacity = capacity
        self.available = available
    }
}
