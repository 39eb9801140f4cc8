import FoundationEssentials
import TextSupport
import Libvirt
import LibvirtXML
import NoCloud
#if canImport(Glibc)
import Glibc
#endif

/// What `vmctl vm create` was asked for, as typed. Everything is validated by
/// `VMCreator.plan` before the first change.
public struct VMCreateRequest: Sendable {
    public var name: String
    /// A base image: a pool volume or a file on the host.
    public var image: ImageRef?
    /// Copy the base image instead of a qcow2 overlay on it.
    public var fullCopy = false
    /// A blank disk of this size, or the root disk's size when larger than the image.
    public var diskSize: String?
    public var cdrom: String?
    public var kernel: String?
    public var initrd: String?
    public var cmdline: String?
    public var memory = "1G"
    public var vcpus = 1
    /// `host-passthrough`, `host-model`, `maximum` or a named model.
    public var cpu: String?
    public var nested = false
    /// The NICs, in order; the first is the management NIC.
    public var networks: [NetworkSpec] = []
    /// Data disks after the root disk: vdb, vdc, …
    public var dataDisks: [DataDiskSpec] = []
    public var pool = "default"
    public var autostart = false
    public var start = false
    /// Log the serial console to this file instead of a pty.
    public var serialFile: String?
    /// `vnc`, `spice` or nil for none.
    public var graphics: String?
    public var lab: String?
    public var role: String?
    /// The NoCloud seed's settings. The planner adds a `network-config` entry
    /// for every NIC (its MAC and device name) and the data disks' volume
    /// groups, then attaches the seed as a CD-ROM.
    public var seed: SeedConfig?
    /// How to log in to the guest, recorded in vmctl's metadata for readiness checks and `vm ssh`.
    public var login: VMMetadata.Login?
    /// BIOS (default) or UEFI (`<os firmware='efi'>`: libvirt chooses OVMF and gives the VM its own NVRAM).
    public var firmware: Firmware = .bios

    public init(name: String) { self.name = name }
}

/// A base image, parsed once from `--image` or a plan's `image:`.
public enum ImageRef: Sendable, Equatable, CustomStringConvertible {
    /// A volume; with no pool, the one the VM's volumes go to.
    case volume(pool: String?, name: String)
    /// A file on the daemon's host, by absolute path.
    case file(String)

    /// `POOL/VOLUME`, `VOLUME` or an absolute path; `field` names the option in errors.
    public init(parsing text: String, field: InputField = .vm(.image)) throws(VMCtlError) {
        if text.hasPrefix("/") {
            self = .file(text)
            return
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, parts.allSatisfy(ObjectName.isValid) else {
            throw .invalid(field: field, "\"\(text.prefix(80))\" is not allowed: POOL/VOLUME, VOLUME or an absolute path")
        }
        self = parts.count == 2 ? .volume(pool: parts[0], name: parts[1]) : .volume(pool: nil, name: parts[0])
    }

    public var description: String {
        switch self {
        case .volume(let pool?, let name): "\(pool)/\(name)"
        case .volume(nil, let name): name
        case .file(let path): path
        }
    }
}

/// A data disk: an empty qcow2 volume that vmctl creates and deletes with
/// the VM, optionally made an LVM volume group by cloud-init on first boot.
public struct DataDiskSpec: Sendable, Equatable {
    public var size: ByteSize
    /// An LVM volume group made on the whole disk (e.g. `cinder-volumes`).
    public var volumeGroup: String?

    public init(size: ByteSize, volumeGroup: String? = nil) {
        self.size = size
        self.volumeGroup = volumeGroup
    }

    /// The rule for ``volumeGroup``: LVM's own, less the names it reserves.
    public static let volumeGroupRule = "1-64 letters, digits, _, ., - or +, not starting with -"

    public static func isValidVolumeGroup(_ name: String) -> Bool {
        guard (1...64).contains(name.count), !name.hasPrefix("-"), name != ".", name != ".." else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-+".unicodeScalars.contains($0)) }
    }

    /// `SIZE` or `SIZE,vg=NAME` (`--disk 20G,vg=cinder-volumes`).
    public init(_ text: String, field: InputField = .vm(.dataDisk)) throws(VMCtlError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        size = try parsed(as: field) { try ByteSize(parsing: parts[0], field: field.description) }
        for option in parts.dropFirst() {
            guard option.hasPrefix("vg=") else {
                throw .invalid(field: field, "\"\(option)\" is not allowed: SIZE or SIZE,vg=NAME")
            }
            // A second vg= would silently win over the first.
            guard volumeGroup == nil else { throw .invalid(field: field, "vg= is given twice in \"\(text.prefix(80))\"") }
            volumeGroup = String(option.dropFirst(3))
        }
        try validate(field: field)
    }

    func validate(field: InputField) throws(VMCtlError) {
        guard size >= VMSpec.minimumDiskSize else { throw .invalid(field: field, "\(size) is not allowed: at least 1 MiB") }
        if let volumeGroup, !Self.isValidVolumeGroup(volumeGroup) {
            throw .invalid(field: field, "vg=\"\(volumeGroup)\" is not allowed: \(Self.volumeGroupRule)")
        }
    }

    /// The disk's serial, so the guest finds it as /dev/disk/by-id/virtio-SERIAL.
    static func serial(target: String) -> String { "vmctl-\(target)" }

    /// The cloud-init command that makes the volume group, once, on the disk with `serial`.
    static func volumeGroupCommand(_ name: String, serial: String) -> SeedConfig.Command {
        let device = "/dev/disk/by-id/virtio-\(serial)"
        return .argv(["sh", "-c", "vgs \(name) >/dev/null 2>&1 || { pvcreate -y \(device) && vgcreate \(name) \(device); }"])
    }
}

/// A volume `vm create` will make.
public struct PlannedVolume: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A qcow2 overlay whose backing file is the base image.
        case overlay
        /// A full copy of a pool volume.
        case copy
        /// An empty disk.
        case blank
        /// The cloud-init seed image.
        case seed
    }
    public var pool: String
    public var name: String
    public var kind: Kind
    public var capacityBytes: UInt64
    public var format: String
    /// The base image (overlay) or the volume copied (copy).
    public var source: String?
}

/// Everything `vm create` will do, decided before anything is touched.
public struct VMCreatePlan: Sendable {
    public var domain: DomainDefinition
    public var volumes: [PlannedVolume]
    public var warnings: [String]
    /// The pool volume a full copy is made from.
    var copySource: (pool: String, volume: String)?
    var seed: Data?
    /// The public halves of the host keys in ``seed``, recorded in vmctl's known_hosts when the domain is defined.
    public var hostKeys: [String] = []
    /// The serial log vmctl creates before defining the domain (a local daemon's file).
    var serialLog: String?
    public var start: Bool
    public var autostart: Bool
    /// Volumes a killed `vm create` of this name left (CreationJournal), removed first.
    public var leftovers = JournalLeftovers(connection: nil)

    /// The domain XML as it will be defined (paths of planned volumes filled in).
    public func domainXML() throws(VMCtlError) -> String {
        try parsed { try domain.xml() }
    }
}

/// Plans and runs `vm create` on one connection.
/// Objects a larger plan (a lab) will have made before this VM is created:
/// the VM's plan takes them as present, so the whole lab is checked before
/// its first change.
public struct PendingObjects: Sendable, Equatable {
    /// Pools to be defined, by name: their target directory.
    public var pools: [String: String] = [:]
    /// Volumes to be imported, by pool and name: their capacity in bytes.
    public var volumes: [String: [String: UInt64]] = [:]
    /// Networks to be defined and started.
    public var networks: Set<String> = []
    /// Volumes the larger plan deletes first (left by an interrupted run), by pool.
    public var removedVolumes: [String: Set<String>] = [:]
    /// The size and free space of pools to be defined, where known: the file
    /// system their target will be on (`StorageService.localSpace`).
    public var poolSpace: [String: PoolSpace] = [:]
    /// Directories the larger plan makes before the VM (a lab's `serial_dir`).
    public var directories: Set<String> = []

    public init() {}
}

public struct VMCreator: Sendable {
    public let connection: Connection
    public var progress: any ProgressReporter
    /// What the caller's plan makes before this VM; empty for `vm create`.
    public var pending = PendingObjects()
    /// The host's facts, when the caller read them once for many VMs; else read per plan.
    public var hostFacts: HostFacts?
    /// The host's interfaces, when the caller read them once for many VMs; else read through the port when needed.
    public var hostNetwork: HostNetworkState?
    /// Serial logs vmctl created, and the rule for a new one.
    var serialLogs = SerialLogFile()

    public init(connection: Connection, progress: any ProgressReporter = SilentProgress()) {
        self.connection = connection
        self.progress = progress
    }

    // MARK: Planning (reads only)

    /// Each `mac=` on a libvirt network must be free there: no other guest's
    /// NIC on it, no reservation for another host (`NetworkService.macHolder`).
    /// Networks the caller's plan has yet to make hold nobody.
    func requireFreeMACs(_ specs: [NetworkSpec], owners: Set<String>) throws(VMCtlError) {
        let service = NetworkService(connection: connection)
        for spec in specs {
            guard let mac = spec.mac, case .network(let network) = spec.kind, !pending.networks.contains(network) else { continue }
            if let holder = try service.macHolder(mac, on: network, owners: owners) {
                throw .invalid(field: .vm(.networkMAC), "\(mac) is already used on network '\(network)' by \(holder)")
            }
        }
    }

    // MARK: Running the plan

    /// Creates the volumes, defines the domain, sets autostart and starts it.
    /// On any failure, removes what it created so far, newest first.
    @discardableResult
    public func run(_ plan: VMCreatePlan) throws(VMCtlError) -> Domain {
        try plan.leftovers.remove(progress: progress)
        // Until the domain's metadata records the volumes, only the journal says they are vmctl's.
        let journal = try CreationJournal.begin(
            "vm create", on: connection, owners: [plan.domain.name.rawValue], lab: plan.domain.metadata?.lab?.rawValue,
            volumes: plan.volumes.map { .init(pool: $0.pool, name: $0.name) })
        let rollback = Rollback(progress: progress)
        // Kept when a rollback left something behind: a rerun or vm delete then removes it.
        defer { if rollback.leftBehind.isEmpty { journal.finish() } }
        return try rollback.guarding { () throws(VMCtlError) -> Domain in
            // Until the overlay or copy exists, nothing shows `image prune` that the base is in use.
            var imageLocks = try lockImages(plan)
            for volume in plan.volumes {
                progress.step("creating volume \(volume.pool)/\(volume.name) (\(volume.kind.rawValue))")
                let created = try createVolume(volume, plan: plan)
                rollback.onFailure("delete volume \(volume.pool)/\(volume.name)") { try created.delete() }
            }
            imageLocks.removeAll()
            if let log = plan.serialLog, try serialLogs.create(log, domain: plan.domain.name.rawValue) {
                rollback.onFailure("remove \(log)") { try serialLogs.remove(log) }
            }
            // Before the domain exists: a kill after the definition leaves no guest whose keys are unknown.
            try KnownHost.record(plan.hostKeys, for: plan.domain, rollback: rollback, progress: progress)
            progress.step("defining domain \(plan.domain.name) (type \(plan.domain.type.rawValue))")
            let xml = try plan.domainXML()
            let domain = try libvirt("defining domain '\(plan.domain.name)'") { try connection.defineDomain(xml: xml) }
            rollback.onFailure("undefine domain \(plan.domain.name)") {
                try domain.undefine(plan.domain.undefineFlags)
            }
            if plan.autostart {
                try libvirt("setting autostart on '\(plan.domain.name)'") { try domain.setAutostart(true) }
            }
            if plan.start {
                progress.step("starting \(plan.domain.name)")
                try libvirt("starting '\(plan.domain.name)'") { try domain.start() }
                rollback.onFailure("destroy domain \(plan.domain.name)") { try domain.destroy() }
            }
            return domain
        }
    }

    /// Takes the image lock on every base the plan layers on or copies.
    func lockImages(_ plan: VMCreatePlan) throws(VMCtlError) -> [ObjectLock] {
        var bases = Set<String>()
        for volume in plan.volumes {
            switch volume.kind {
            case .overlay: if let base = volume.source { bases.insert(base) }
            case .copy:
                if let source = plan.copySource {
                    // virStoragePoolLookupByName, virStorageVolLookupByName, virStorageVolGetPath.
                    bases.insert(try libvirt("looking up \(source.pool)/\(source.volume)") {
                        try connection.storagePool(named: source.pool).volume(named: source.volume).path()
                    })
                }
            case .blank, .seed: break
            }
        }
        guard !bases.isEmpty else { return [] }
        let uri = try libvirt("reading the connection's URI") { try connection.uri() }
        let locks = try bases.sorted().map { path throws(VMCtlError) in
            try ImageService.imageLock(uri: uri, path: path, progress: progress)
        }
        // A prune that ran between the plan and the lock may have removed a base.
        let local = try StorageService(connection: connection).isLocal()
        for path in bases {
            // virStorageVolLookupByPath; a base given as a path is no pool's volume.
            let volume = try find("looking up \(path)", missing: .noStorageVolume) { try connection.storageVolume(path: path) }
            if volume == nil, local, !FileManager.default.fileExists(atPath: path) {
                throw VMCtlError("vm create: the base image \(path) was removed (image prune?) after the plan; nothing was created")
            }
        }
        return locks
    }

    private func createVolume(_ volume: PlannedVolume, plan: VMCreatePlan) throws(VMCtlError) -> StorageVolume {
        let pool = try lookUpPool(volume.pool)
        let name = try parsed { try ObjectName(volume.name) }
        var definition = StorageVolumeDefinition(
            name: name, capacity: ByteSize(bytes: volume.capacityBytes), format: DiskFormat(rawValue: volume.format))
        switch volume.kind {
        case .overlay:
            definition.backingStore = try backingStore(onBase: volume.source ?? "")
        case .seed:
            definition.permissions = SeedVolume.permissions
        case .blank, .copy:
            break
        }
        let xml = try parsed { try definition.xml() }
        let created: StorageVolume
        if volume.kind == .copy, let source = plan.copySource {
            let sourceVolume = try libvirt("looking up \(source.pool)/\(source.volume)") {
                try connection.storagePool(named: source.pool).volume(named: source.volume)
            }
            created = try libvirt("copying \(source.pool)/\(source.volume) to \(volume.pool)/\(volume.name)") {
                try pool.createVolume(xml: xml, copying: sourceVolume)
            }
        } else {
            created = try libvirt("creating volume \(volume.pool)/\(volume.name)") { try pool.createVolume(xml: xml) }
        }
        if volume.kind == .seed, let seed = plan.seed {
            try SeedVolume.write(seed, to: created, label: "\(volume.pool)/\(volume.name)")
        }
        return created
    }

    // MARK: Lookups

    /// Each new volume must fit its pool (`StorageService.roomRule`), checked
    /// before anything is made. A pool the caller has yet to make is measured
    /// only when the caller gave its file system's space.
    func requireRoom(for volume: PlannedVolume, in pool: PoolView, field: InputField) throws(VMCtlError) {
        guard let space = pool.space else { return }
        if let rule = StorageService.roomRule(volume.capacityBytes, written: false, pool: pool.name, capacity: space.capacity,
                                               available: space.available) {
            throw .invalid(field: field, rule)
        }
    }

    /// A pool as planning sees it: live on the connection, or pending in the caller's plan.
    struct PoolView {
        var name: String
        var targetPath: String
        var live: StoragePool?
        /// Its size and free space (`virStoragePoolGetInfo`, or the pending pool's file system); nil when unknown.
        var space: PoolSpace?
        var pendingVolumes: [String: UInt64]
        var removedVolumes: Set<String>

        func hasVolume(_ volume: String) throws(VMCtlError) -> Bool {
            if pendingVolumes[volume] != nil { return true }
            guard let live, !removedVolumes.contains(volume) else { return false }
            return try find("looking up volume '\(name)/\(volume)'", missing: .noStorageVolume, { try live.volume(named: volume) }) != nil
        }
    }

    func poolView(_ name: String) throws(VMCtlError) -> PoolView {
        let pendingVolumes = pending.volumes[name] ?? [:]
        let removed = pending.removedVolumes[name] ?? []
        if let target = pending.pools[name] {
            return PoolView(name: name, targetPath: target, live: nil, space: pending.poolSpace[name], pendingVolumes: pendingVolumes,
                            removedVolumes: removed)
        }
        let pool = try lookUpPool(name)
        let info = try libvirt("reading pool '\(name)'") { try pool.info() }
        return PoolView(name: name, targetPath: try poolTargetPath(pool), live: pool, space: PoolSpace(capacity: info.capacity, available: info.available),
                        pendingVolumes: pendingVolumes,
                        removedVolumes: removed)
    }

    func lookUpPool(_ name: String) throws(VMCtlError) -> StoragePool {
        let pool = try lookUp(
            "looking up storage pool '\(name)'", missing: .noStoragePool, field: .vm(.pool),
            notFound: "no storage pool named '\(name)'; create one with vmctl pool create \(name) --type dir --target /var/lib/libvirt/images"
        ) { try connection.storagePool(named: name) }
        guard try libvirt("looking up storage pool '\(name)'", { try pool.isActive() }) else {
            throw .invalid(field: .vm(.pool), "storage pool '\(name)' is not active; start it with vmctl pool start \(name)")
        }
        return pool
    }

    func poolTargetPath(_ pool: StoragePool) throws(VMCtlError) -> String {
        let xml = try libvirt("reading pool '\(pool.name)'") { try pool.xml() }
        let definition = try libvirt("reading pool '\(pool.name)'") { try StoragePoolDefinition(xml: xml) }
        guard let path = definition.targetPath, definition.type == .dir || definition.type == .fs || definition.type == .netfs else {
            throw .invalid(field: .vm(.pool), "pool '\(pool.name)' is of type \(definition.type.rawValue); vm create needs a dir, fs or netfs pool")
        }
        return path
    }

    struct ResolvedImage {
        var path: String
        var capacity: UInt64
        var poolVolume: (pool: String, volume: String)?
    }

    /// The image's volume or file, its path and capacity. `read`: a pool
    /// already looked up, used when the image is in it rather than read again.
    func resolveImage(_ image: ImageRef, defaultPool: String, read: PoolView? = nil) throws(VMCtlError) -> ResolvedImage {
        let poolName: String
        let volumeName: String
        switch image {
        case .file(let path):
            try requireReadableFile(path, field: .vm(.image))
            if let volume = try find("looking up the volume at \(path)", missing: .noStorageVolume, { try connection.storageVolume(path: path) }) {
                let (pool, capacity) = try libvirt("reading the volume at \(path)") { (try volume.pool(), try volume.info().capacity) }
                return try inspected(ResolvedImage(path: path, capacity: capacity, poolVolume: (pool.name, volume.name)), volume: volume)
            }
            return try inspected(ResolvedImage(path: path, capacity: 0, poolVolume: nil), volume: nil)
        case .volume(let pool, let name):
            poolName = pool ?? defaultPool
            volumeName = name
        }
        let named = { if case .volume(_?, _) = image { true } else { false } }()
        let view: PoolView
        do {
            if let read, read.name == poolName { view = read } else { view = try poolView(poolName) }
        } catch where error.field == .vm(.pool) && named {
            // The pool came from the image's own POOL/VOLUME: the image is what was mistyped.
            throw error.about(.vm(.image))
        }
        if let capacity = view.pendingVolumes[volumeName] {
            let path = view.targetPath.appendingPathComponent(volumeName)
            return ResolvedImage(path: path, capacity: capacity, poolVolume: (poolName, volumeName))
        }
        guard let pool = view.live else {
            throw .invalid(field: .vm(.image), "pool '\(poolName)' has no volume named '\(volumeName)'")
        }
        let volume = try lookUp("looking up image '\(image)'", missing: .noStorageVolume, field: .vm(.image),
                                notFound: "pool '\(poolName)' has no volume named '\(volumeName)'") { try pool.volume(named: volumeName) }
        let resolved = try libvirt("looking up image '\(image)'") {
            ResolvedImage(path: try volume.path(), capacity: try volume.info().capacity, poolVolume: (poolName, volumeName))
        }
        return try inspected(resolved, volume: volume)
    }

    /// The daemon's host's interfaces: the caller's, or read for this connection (`HostNetworkState.of`).
    func hostNetworkState() throws(VMCtlError) -> HostNetworkState {
        if let hostNetwork { return hostNetwork }
        return try HostNetworkState.of(connection, local: try StorageService(connection: connection).isLocal())
    }

    /// A `--network` value as an interface; checks the network, bridge or device exists.
    func networkInterface(_ parsedSpec: NetworkSpec, mustBeActive: Bool) throws(VMCtlError) -> NetworkInterface {
        var interface: NetworkInterface
        switch parsedSpec.kind {
        case .network(let name) where pending.networks.contains(name):
            interface = NetworkInterface(source: .network(name))
        case .network(let name):
            let network = try lookUp("--network", missing: .noNetwork, field: .vm(.network), notFound: "no libvirt network named '\(name)'") {
                try connection.network(named: name)
            }
            if mustBeActive, try !libvirt("--network", { try network.isActive() }) {
                throw .invalid(field: .vm(.network), "network '\(name)' is not active; start it with vmctl net start \(name)")
            }
            interface = NetworkInterface(source: .network(name))
        case .bridge(let bridge):
            guard try hostNetworkState().bridge(bridge) != false else {
                throw .invalid(field: .vm(.network), "bridge=\(bridge): no such bridge on this host")
            }
            interface = NetworkInterface(source: .bridge(bridge))
        case .direct(let device):
            guard try hostNetworkState().interface(device) != false else {
                throw .invalid(field: .vm(.network), "direct=\(device): no such network device on this host")
            }
            interface = NetworkInterface(source: .direct(device: device, mode: "bridge"))
        }
        interface.mac = parsedSpec.mac ?? MACAddress.random()
        interface.model = parsedSpec.model ?? .virtio
        return interface
    }
}

/// A parsed `--network` value.
public struct NetworkSpec: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case network(String)
        case bridge(String)
        case direct(String)
    }
    public var kind: Kind
    public var mac: MACAddress?
    public var model: InterfaceModel?
    /// The NIC's name inside the guest (`network-config`'s `set-name`); default `ethN`.
    public var device: String?
    /// How the guest configures it; default DHCP for the first NIC, no address for the others.
    public var ipv4: SeedConfig.Interface.IPv4?
    /// The guest's MTU on it (its seed's network-config); nil leaves the default.
    public var mtu: Int?

    public init(kind: Kind, mac: MACAddress? = nil, model: InterfaceModel? = nil, device: String? = nil,
                ipv4: SeedConfig.Interface.IPv4? = nil) {
        self.kind = kind
        self.mac = mac
        self.model = model
        self.device = device
        self.ipv4 = ipv4
    }

    /// The rule for ``device``.
    public static let deviceRule = "1-15 letters, digits, _, . or -, not starting with a digit, . or -"

    public static func isValidDevice(_ name: String) -> Bool { SeedConfig.Interface.isValidName(name) }

    /// The PCI slot whose NIC systemd names `device` on an i440fx guest:
    /// `ens3` → 3, for slots 3 to 31 (0 and 1 hold the host bridge and PIIX3,
    /// 2 is the first video card's).
    public static func pciSlot(forDevice device: String) -> Int? {
        guard device.hasPrefix("ens"), let slot = Int(device.dropFirst(3)), String(slot) == device.dropFirst(3),
            (3...31).contains(slot)
        else { return nil }
        return slot
    }

    /// `NAME`, `network=NAME`, `bridge=BR` or `direct=DEV`, then `,mac=…`, `,model=…`, `,device=…`.
    public init(_ spec: String) throws(VMCtlError) {
        let parts = spec.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, !first.isEmpty else {
            throw .invalid(field: .vm(.network), "\"\(spec)\" is not allowed: NAME, network=NAME, bridge=BR or direct=DEV")
        }
        func value(_ part: String, _ key: String) -> String? {
            part.hasPrefix(key + "=") ? String(part.dropFirst(key.count + 1)) : nil
        }
        func checkedName(_ name: String, _ what: String) throws(VMCtlError) -> String {
            guard ObjectName.isValid(name), name.count <= 15 || what == "network" else {
                throw .invalid(field: .vm(.network), "\(what)=\"\(name)\" is not allowed: \(ObjectName.rule)")
            }
            return name
        }
        if let name = value(first, "network") {
            kind = .network(try checkedName(name, "network"))
        } else if let bridge = value(first, "bridge") {
            kind = .bridge(try checkedName(bridge, "bridge"))
        } else if let device = value(first, "direct") {
            kind = .direct(try checkedName(device, "direct"))
        } else if !first.contains("=") {
            kind = .network(try checkedName(first, "network"))
        } else {
            throw .invalid(field: .vm(.network), "\"\(first)\" is not allowed: NAME, network=NAME, bridge=BR or direct=DEV")
        }
        // Each key once: a second mac= or device= would silently win over the first.
        var seen = Set<String>()
        for option in parts.dropFirst() {
            let key = String(option.prefix { $0 != "=" })
            if ["mac", "model", "device"].contains(key), !seen.insert(key).inserted {
                throw .invalid(field: .vm(.network), "\(key)= is given twice in \"\(spec.prefix(80))\"")
            }
            if let text = value(option, "mac") {
                mac = try MACAddress.given(text, field: "--network mac")
            } else if let text = value(option, "model") {
                guard ["virtio", "e1000", "e1000e", "rtl8139"].contains(text) else {
                    throw .invalid(field: .vm(.networkModel), "\"\(text)\" is not allowed: virtio, e1000, e1000e or rtl8139")
                }
                model = InterfaceModel(rawValue: text)
            } else if let text = value(option, "device") {
                guard Self.isValidDevice(text) else {
                    throw .invalid(field: .vm(.networkDevice), "\"\(text)\" is not allowed: \(Self.deviceRule)")
                }
                device = text
            } else {
                throw .invalid(field: .vm(.network), "\"\(option)\" is not allowed: options are mac=…, model=… and device=…")
            }
        }
    }
}

/// A cloud-init seed image in a pool volume.
enum SeedVolume {
    /// Creates a raw volume of the seed's size in `pool` and writes the seed to it.
    static func create(in pool: StoragePool, name: String, contents: Data) throws(VMCtlError) -> StorageVolume {
        var definition = StorageVolumeDefinition(name: try parsed { try ObjectName(name) }, capacity: ByteSize(bytes: UInt64(contents.count)),
                                                 format: .raw)
        definition.permissions = permissions
        let xml = try parsed { try definition.xml() }
        let created = try libvirt("creating volume \(pool.name)/\(name)") { try pool.createVolume(xml: xml) }
        try write(contents, to: created, label: "\(pool.name)/\(name)")
        return created
    }

    /// Writes `contents` over the volume's file; deletes the volume when that fails.
    static func write(_ contents: Data, to volume: StorageVolume, label: String) throws(VMCtlError) {
        do {
            try writeRootOnly(contents, to: try volume.path())
        } catch {
            try? volume.delete()
            throw VMCtlError("writing the cloud-init seed to \(label): \(error)")
        }
    }
}
