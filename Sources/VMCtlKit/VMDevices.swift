import FoundationEssentials
import TextSupport
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// `vm attach-disk`, `vm detach-disk`, `vm attach-nic` and `vm detach-nic`:
/// the device is built as a typed ``Disk`` or ``NetworkInterface``, checked
/// against the VM's live and persistent definitions, then attached or
/// detached in one `virDomainAttachDeviceFlags`/`virDomainDetachDeviceFlags` call.
public struct VMDevices: Sendable {
    public let connection: Connection
    public var progress: any ProgressReporter

    public init(connection: Connection, progress: any ProgressReporter = SilentProgress()) {
        self.connection = connection
        self.progress = progress
    }

    /// What `vm attach-disk` was asked.
    public struct DiskRequest: Sendable {
        /// An existing image: `POOL/VOLUME`, `VOLUME` (in `pool`) or an absolute path.
        public var source: String?
        /// The size of a new, empty qcow2 volume vmctl creates in `pool`.
        public var size: String?
        public var pool = "default"
        /// The guest device, `vdb`…; default the first free one.
        public var target: String?
        public var readOnly = false
        public var live = false
        public var config = false

        public init(source: String? = nil, size: String? = nil, pool: String = "default", target: String? = nil,
                    readOnly: Bool = false, live: Bool = false, config: Bool = false) {
            self.source = source
            self.size = size
            self.pool = pool
            self.target = target
            self.readOnly = readOnly
            self.live = live
            self.config = config
        }
    }

    /// The rule for `--target`.
    public static let targetRule = "vd followed by one or two lowercase letters (vdb … vdzz)"

    static func isValidTarget(_ target: String) -> Bool {
        let suffix = target.dropFirst(2)
        return target.hasPrefix("vd") && (1...2).contains(suffix.count) && suffix.allSatisfy { ("a"..."z").contains($0) }
    }

    struct DiskPlan {
        var domain: Domain
        var scope: ChangeScope
        var disk: Disk
        /// The volume to create first: pool, name, capacity.
        var newVolume: (pool: StoragePool, name: ObjectName, capacity: ByteSize)?
        /// Held from the checks to the last change.
        var lock: ObjectLock
    }

    /// Checks the request against the VM and the pool; changes nothing.
    func planDisk(_ nameOrUUID: String, _ request: DiskRequest) throws(VMCtlError) -> DiskPlan {
        guard (request.source == nil) != (request.size == nil) else {
            throw .invalid(field: "vm attach-disk", "give either --source (an existing image) or --size (a new volume)")
        }
        if let target = request.target, !Self.isValidTarget(target) {
            throw .invalid(field: "--target", "\"\(target.prefix(40))\" is not allowed: \(Self.targetRule)")
        }
        let given = try request.size.map { text throws(VMCtlError) in try GivenSize(parsing: text, field: .option("--size")) }
        if let given { try VMSpec.check(diskSize: given, field: .option("--size")) }
        let size = given?.size
        let source = try request.source.map { text throws(VMCtlError) in try ImageRef(parsing: text, field: .option("--source")) }
        let poolName = try parsed { try ObjectName(request.pool, field: "--pool") }
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: nameOrUUID)
        let name = domain.name
        let lock = try VMLifecycle(connection: connection).lock(domain, progress: progress)
        let scope = try ChangeScope.resolve(live: request.live, config: request.config, domain: domain)
        let definitions = try VMLifecycle(connection: connection).definitions(of: domain, scope: scope)
        let usedTargets = Set(definitions.flatMap { $0.disks.map(\.target) })
        let target: String
        if let wanted = request.target {
            guard !usedTargets.contains(wanted) else { throw .invalid(field: "--target", "'\(name)' already has a disk \(wanted)") }
            target = wanted
        } else {
            let free = (UnicodeScalar("b").value...UnicodeScalar("z").value).compactMap(UnicodeScalar.init)
                .map { "vd\(Character($0))" }.first { !usedTargets.contains($0) }
            guard let free else { throw .invalid(field: "--target", "'\(name)' has no free target vdb … vdz; give one, e.g. --target vdaa") }
            target = free
        }
        let creator = VMCreator(connection: connection)
        if let size {
            // The volume is recorded in the definition's metadata, for vm delete; a transient VM has none.
            guard try libvirt("reading '\(name)'", { try domain.isPersistent() }) else {
                throw .invalid(field: "--size", "'\(name)' is transient: vmctl could not record the new volume for vm delete; attach an existing image with --source")
            }
            let pool = try creator.poolView(poolName.rawValue)
            let volume = try parsed { try ObjectName(VMVolumeNames.data(name, target: target), field: "volume") }
            if try pool.hasVolume(volume.rawValue) {
                throw .invalid(field: "--pool", "pool '\(poolName)' already holds a volume named '\(volume)'")
            }
            guard let live = pool.live else { throw .invalid(field: "--pool", "storage pool '\(poolName)' is not defined") }
            let path = pool.targetPath.appendingPathComponent(volume.rawValue)
            let disk = Disk(source: .file(path), target: target, bus: .virtio, format: .qcow2, readOnly: request.readOnly,
                            serial: DataDiskSpec.serial(target: target))
            return DiskPlan(domain: domain, scope: scope, disk: disk, newVolume: (live, volume, size), lock: lock)
        }
        guard let source else { preconditionFailure("exactly one of --source and --size, checked first") }
        let image: VMCreator.ResolvedImage
        do {
            image = try creator.resolveImage(source, defaultPool: poolName.rawValue)
        } catch where error.field == .vm(.image) {
            throw error.about(.option("--source"))
        }
        let inUse = definitions.flatMap(\.disks).contains { if case .file(image.path) = $0.source { true } else { false } }
        guard !inUse else { throw .invalid(field: "--source", "'\(name)' already has \(image.path) attached") }
        let disk = Disk(source: .file(image.path), target: target, bus: .virtio, format: try format(of: image), readOnly: request.readOnly)
        return DiskPlan(domain: domain, scope: scope, disk: disk, newVolume: nil, lock: lock)
    }

    /// A pool volume's format as libvirt records it (right for a remote
    /// connection too); a file's from its header, as `vm create` reads a base image's.
    func format(of image: VMCreator.ResolvedImage) throws(VMCtlError) -> DiskFormat {
        guard let (pool, volume) = image.poolVolume else {
            // The header's format, as the image inspector read it (resolveImage inspected the file already).
            return try ImageInspector.forPools(of: connection).inspect(image.path, field: "--source").format
        }
        let definition = try libvirt("reading volume \(pool)/\(volume)") {
            try StorageVolumeDefinition(xml: try connection.storagePool(named: pool).volume(named: volume).xml())
        }
        return definition.format ?? .raw
    }

    /// Creates the new volume (if any), attaches the disk and records the
    /// volume in vmctl's metadata as created by vmctl, so `vm delete` removes it;
    /// a failed step undoes the earlier ones.
    public func attachDisk(_ nameOrUUID: String, _ request: DiskRequest) throws(VMCtlError) -> VMChangeResult {
        let plan = try planDisk(nameOrUUID, request)
        let name = plan.domain.name
        let xml = try parsed { try plan.disk.deviceXML(field: "disk") }
        var change = VMChangeResult.DeviceChange(kind: "disk", target: plan.disk.target)
        if case .file(let path) = plan.disk.source { change.source = path }
        let rollback = Rollback(progress: progress)
        try rollback.guarding { () throws(VMCtlError) in
            if let new = plan.newVolume {
                let label = "\(new.pool.name)/\(new.name)"
                progress.step("creating volume \(label)")
                let definition = StorageVolumeDefinition(name: new.name, capacity: new.capacity, format: .qcow2)
                let volumeXML = try parsed { try definition.xml() }
                let volume = try libvirt("creating volume \(label)") { try new.pool.createVolume(xml: volumeXML) }
                rollback.onFailure("delete volume \(label)") { try volume.delete() }
                change.createdVolume = label
            }
            try libvirt("attaching disk \(plan.disk.target) to '\(name)'") { try plan.domain.attachDevice(xml: xml, flags: plan.scope.deviceFlags) }
            rollback.onFailure("detach disk \(plan.disk.target)") { try plan.domain.detachDevice(xml: xml, flags: plan.scope.deviceFlags) }
            // Recorded even for a --live attach: the volume is vmctl's whichever definition holds the disk.
            if let new = plan.newVolume {
                let pool = try parsed { try ObjectName(new.pool.name, field: "--pool") }
                try VMDeleter(connection: connection).handOver(.init(.pool(pool: pool, volume: new.name), createdByVMCtl: true), to: plan.domain)
            }
        }
        withExtendedLifetime(plan.lock) {}
        var result = VMChangeResult(name: name, action: "attached", scope: plan.scope)
        result.device = change
        return result
    }

    /// Detaches the disk at `target`; its image or volume is kept (a volume vmctl
    /// created stays in the VM's metadata, so `vm delete` still removes it).
    public func detachDisk(_ nameOrUUID: String, target: String, live: Bool, config: Bool) throws(VMCtlError) -> VMChangeResult {
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: nameOrUUID)
        let lock = try VMLifecycle(connection: connection).lock(domain, progress: progress)
        defer { withExtendedLifetime(lock) {} }
        let scope = try ChangeScope.resolve(live: live, config: config, domain: domain)
        let definitions = try VMLifecycle(connection: connection).definitions(of: domain, scope: scope)
        let disk = try Self.device(in: definitions, of: domain.name, field: "target", kind: "disk", key: target) {
            $0.disks.first { $0.target == target }
        }
        let xml = try parsed { try disk.deviceXML(field: "disk") }
        try libvirt("detaching disk \(target) from '\(domain.name)'") { try domain.detachDevice(xml: xml, flags: scope.deviceFlags) }
        var result = VMChangeResult(name: domain.name, action: "detached", scope: scope)
        result.device = .init(kind: "disk", target: target, source: { if case .file(let path) = disk.source { path } else { nil } }())
        return result
    }

    // MARK: NICs

    /// The MAC addresses of every interface on `source` in any domain, live and persistent.
    func macsInUse(on source: InterfaceSource) throws(VMCtlError) -> [MACAddress: String] {
        var users: [MACAddress: String] = [:]
        let domains = try libvirt("listing domains") { try connection.domains() }
        for domain in domains {
            let texts = [try? domain.xml(), try? domain.xml([.inactive])].compactMap { $0 }
            for text in texts {
                guard let definition = try? DomainDefinition(xml: text) else { continue }
                for interface in definition.interfaces where interface.source == source {
                    if let mac = interface.mac { users[mac] = domain.name }
                }
            }
        }
        return users
    }

    /// Attaches a NIC described as `vm create --network` takes it (`NAME`,
    /// `network=NAME`, `bridge=BR` or `direct=DEV`, with `mac=` and `model=`).
    /// A given MAC must be unicast and not all zeros (`NetworkSpec`'s rule), and not used on that network.
    public func attachNIC(_ nameOrUUID: String, spec text: String, live: Bool, config: Bool) throws(VMCtlError) -> VMChangeResult {
        let spec = try NetworkSpec(text)
        if spec.device != nil {
            throw .invalid(field: "--network", "device= names a NIC in a cloud-init seed, which vm attach-nic does not write")
        }
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: nameOrUUID)
        let name = domain.name
        let lock = try VMLifecycle(connection: connection).lock(domain, progress: progress)
        defer { withExtendedLifetime(lock) {} }
        let scope = try ChangeScope.resolve(live: live, config: config, domain: domain)
        let interface = try VMCreator(connection: connection).networkInterface(spec, mustBeActive: scope.live)
        let users = try macsInUse(on: interface.source)
        let sameDomain = try VMLifecycle(connection: connection).definitions(of: domain, scope: scope).flatMap(\.interfaces).compactMap(\.mac)
        if let mac = interface.mac, let user = users[mac] ?? (sameDomain.contains(mac) ? name : nil) {
            throw .invalid(field: "--network mac", "\(mac) is already used by '\(user)' on \(Self.describe(interface.source))")
        }
        let xml = try parsed { try interface.deviceXML(field: "interface") }
        try libvirt("attaching an interface to '\(name)'") { try domain.attachDevice(xml: xml, flags: scope.deviceFlags) }
        var result = VMChangeResult(name: name, action: "attached", scope: scope)
        result.device = .init(kind: "interface", source: Self.describe(interface.source), mac: interface.mac?.description)
        return result
    }

    /// The device `pick` finds in every definition the change applies to (the
    /// running domain's first, then the persistent one); one missing from either
    /// is bad input naming `field`.
    static func device<Device>(
        in definitions: [DomainDefinition], of domain: String, field: String, kind: String, key: String,
        _ pick: (DomainDefinition) -> Device?
    ) throws(VMCtlError) -> Device {
        let found = definitions.map(pick)
        guard let device = found.compactMap({ $0 }).first else { throw .invalid(field: field, "'\(domain)' has no \(kind) \(key)") }
        guard !found.contains(where: { $0 == nil }) else {
            let only = found[0] == nil ? "definition; pass --config" : "running domain; pass --live"
            throw .invalid(field: field, "'\(domain)' has \(key) only in its \(only)")
        }
        return device
    }

    /// Detaches the NIC with MAC address `mac`.
    public func detachNIC(_ nameOrUUID: String, mac text: String, live: Bool, config: Bool) throws(VMCtlError) -> VMChangeResult {
        let mac = try parsed { try MACAddress(text, field: "mac") }
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: nameOrUUID)
        let lock = try VMLifecycle(connection: connection).lock(domain, progress: progress)
        defer { withExtendedLifetime(lock) {} }
        let scope = try ChangeScope.resolve(live: live, config: config, domain: domain)
        let definitions = try VMLifecycle(connection: connection).definitions(of: domain, scope: scope)
        let interface = try Self.device(in: definitions, of: domain.name, field: "mac", kind: "interface", key: mac.description) {
            $0.interfaces.first { $0.mac == mac }
        }
        let xml = try parsed { try interface.deviceXML(field: "interface") }
        try libvirt("detaching interface \(mac) from '\(domain.name)'") { try domain.detachDevice(xml: xml, flags: scope.deviceFlags) }
        var result = VMChangeResult(name: domain.name, action: "detached", scope: scope)
        result.device = .init(kind: "interface", source: Self.describe(interface.source), mac: mac.description)
        return result
    }

    /// `network=NAME`, `bridge=BR`, `direct=DEV`, as `--network` writes them.
    static func describe(_ source: InterfaceSource) -> String {
        switch source {
        case .network(let name): "network=\(name)"
        case .bridge(let name): "bridge=\(name)"
        case .direct(let device, _): "direct=\(device)"
        case .user: "user"
        case .unmodeled(let type): type
        }
    }
}
