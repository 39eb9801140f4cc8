import FoundationEssentials
import Libvirt
import LibvirtXML
import NoCloud
import TextSupport

/// `VMCreator.plan` in named steps, each reading only: the spec's own
/// checks, the host's, the disks and their volumes, the NICs, the seed,
/// the CPU, and the domain they make.
extension VMCreator {
    /// Validates every input and decides the domain and its volumes. Reads libvirt
    /// (pools, volumes, networks, names in use) but changes nothing.
    public func plan(_ request: VMCreateRequest, domainType: DomainTypeSelector.Choice) throws(VMCtlError) -> VMCreatePlan {
        try plan(try VMSpec(request), domainType: domainType)
    }

    /// The typed spec's plan: what `vm create` and a lab's nodes are made from.
    public func plan(_ spec: VMSpec, domainType: DomainTypeSelector.Choice) throws(VMCtlError) -> VMCreatePlan {
        // More memory than the host has is a typo (99999T), not overcommit.
        // The CPU vendor only picks --nested's feature.
        let host = if let hostFacts { hostFacts } else { try HostFacts.read(connection, cpuVendor: spec.nested) }
        guard spec.memory.size <= host.memory else {
            throw .invalid(field: .vm(.memory), "\"\(spec.memory)\" is not allowed: more than this host's \(host.memory)")
        }
        try checkBootAndFiles(spec)
        let serialLog = try serialLogPath(spec)
        var warnings = domainType.warnings
        // Names must be free: the domain and every volume vmctl would create.
        if try find("looking up domain '\(spec.name)'", missing: .noDomain, { try connection.domain(named: spec.name.rawValue) }) != nil {
            throw .invalid(field: .vm(.name), "a domain named '\(spec.name)' already exists")
        }
        let pool = try poolView(spec.pool.rawValue)
        let leftovers = try JournalLeftovers.collect(on: connection, matching: { $0.owners.contains(spec.name.rawValue) })
        var storage = PlannedStorage(spec: spec, pool: pool, leftovers: leftovers)
        try planRootDisk(spec, into: &storage)
        try planDataDisks(spec, into: &storage)
        if let cdrom = spec.cdrom {
            storage.disks.append(Disk(source: .file(cdrom), device: .cdrom, target: "hdc", bus: .ide, format: .raw, readOnly: true))
        }
        let nics = try planInterfaces(spec)
        let (seed, hostKeys) = try planSeed(spec, nics: nics, into: &storage)
        let cpu = try cpuDefinition(spec, type: domainType.type, host: host, warnings: &warnings)
        let domain = try domainDefinition(spec, type: domainType.type, cpu: cpu, disks: storage.disks, interfaces: nics.interfaces,
                                          records: storage.records)
        return VMCreatePlan(
            domain: domain, volumes: storage.volumes, warnings: warnings, copySource: storage.copySource, seed: seed, hostKeys: hostKeys,
            serialLog: serialLog, start: spec.start, autostart: spec.autostart, leftovers: leftovers)
    }

    /// What needs the spec alone, or a file on this machine: a boot disk of
    /// some kind, the options that need another, and readable files.
    func checkBootAndFiles(_ spec: VMSpec) throws(VMCtlError) {
        guard spec.image != nil || spec.diskSize != nil || spec.cdrom != nil || spec.kernel != nil else {
            throw .invalid(field: .vm(.bootDisk), "give a base image (--image), a blank disk (--disk-size), an installer (--cdrom) or a kernel (--kernel)")
        }
        if spec.fullCopy && spec.image == nil {
            throw .invalid(field: .vm(.fullCopy), "needs a base image (--image)")
        }
        if spec.initrd != nil || spec.cmdline != nil, spec.kernel == nil {
            throw .invalid(field: .vm(.kernelOptions), "need --kernel (direct kernel boot)")
        }
        for (field, path) in [(InputField.vm(.kernel), spec.kernel), (.vm(.initrd), spec.initrd), (.option("--cdrom"), spec.cdrom)] {
            if let path { try requireReadableFile(path, field: field) }
        }
        if let key = spec.login?.privateKeyPath { try requireReadableFile(key, field: .vm(.sshPrivateKey)) }
        if let user = spec.login?.user, !SSHCommand.isValidUser(user) {
            throw .invalid(field: .vm(.loginUser), "\"\(user.prefix(40))\" is not allowed: \(SSHCommand.userRule)")
        }
    }

    /// The serial log vmctl creates (a local daemon's file), checked against `SerialLogFile`'s rule.
    func serialLogPath(_ spec: VMSpec) throws(VMCtlError) -> String? {
        guard let serial = spec.serialFile else { return nil }
        let local = try StorageService(connection: connection).isLocal()
        if let rule = serialLogs.rule(serial, domain: spec.name.rawValue, local: local, pendingDirectories: pending.directories) {
            throw .invalid(field: .vm(.serialFile), "\"\(InputFile.shown(serial))\" is not allowed: \(rule)")
        }
        return local ? serial : nil
    }

    /// The disks and volumes planned so far, in the VM's pool.
    struct PlannedStorage {
        var spec: VMSpec
        var pool: PoolView
        var leftovers: JournalLeftovers
        var disks: [Disk] = []
        var volumes: [PlannedVolume] = []
        var records: [VMMetadata.VolumeRecord] = []
        var copySource: (pool: String, volume: String)?
        var volumeGroupCommands: [SeedConfig.Command] = []

        init(spec: VMSpec, pool: PoolView, leftovers: JournalLeftovers) {
            self.spec = spec
            self.pool = pool
            self.leftovers = leftovers
        }

        func path(_ volume: String) -> String { pool.targetPath.appendingPathComponent(volume) }

        /// A new volume of the VM's: its name must be free (or left by a killed run of this VM).
        mutating func add(_ name: String, kind: PlannedVolume.Kind, capacity: UInt64, format: String, source: String?) throws(VMCtlError) {
            let poolName = spec.pool
            if try pool.hasVolume(name), !leftovers.contains(pool: poolName.rawValue, name: name) {
                throw .invalid(field: .vm(.name), "pool '\(poolName)' already holds a volume named '\(name)'")
            }
            volumes.append(PlannedVolume(pool: poolName.rawValue, name: name, kind: kind, capacityBytes: capacity, format: format, source: source))
            records.append(.init(.pool(pool: poolName, volume: try parsed { try ObjectName(name) }), createdByVMCtl: true))
        }
    }

    /// The root disk (vda): an overlay on or a copy of the image, or a blank disk.
    func planRootDisk(_ spec: VMSpec, into storage: inout PlannedStorage) throws(VMCtlError) {
        let rootName = VMVolumeNames.root(spec.name.rawValue)
        if let image = spec.image {
            let base = try resolveImage(image, defaultPool: spec.pool.rawValue, read: storage.pool)
            // A root disk smaller than its image would cut the guest's file systems.
            if let diskSize = spec.diskSize, diskSize.bytes < base.capacity {
                throw .invalid(field: .vm(.diskSize), "\"\(diskSize)\" is not allowed: smaller than the image '\(image)' (\(human(base.capacity))); give at least that")
            }
            let capacity = max(base.capacity, spec.diskSize?.bytes ?? 0)
            if spec.fullCopy {
                guard let poolVolume = base.poolVolume else {
                    throw .invalid(field: .vm(.fullCopy), "'\(image)' is a path, not a pool volume; import it first with vmctl vol import")
                }
                try storage.add(rootName, kind: .copy, capacity: capacity, format: "qcow2", source: "\(poolVolume.pool)/\(poolVolume.volume)")
                storage.copySource = poolVolume
            } else {
                try storage.add(rootName, kind: .overlay, capacity: capacity, format: "qcow2", source: base.path)
                // The base image is shared: recorded so `vm delete` knows it is not ours.
                let location: VMMetadata.VolumeRecord.Location
                if let pv = base.poolVolume, let pool = ObjectName(rawValue: pv.pool), let volume = ObjectName(rawValue: pv.volume) {
                    location = .pool(pool: pool, volume: volume)
                } else {
                    location = .path(base.path)
                }
                storage.records.append(.init(location, createdByVMCtl: false))
            }
            storage.disks.append(Disk(source: .file(storage.path(rootName)), target: "vda", bus: .virtio, format: .qcow2, bootOrder: nil))
        } else if let diskSize = spec.diskSize {
            try storage.add(rootName, kind: .blank, capacity: diskSize.bytes, format: "qcow2", source: nil)
            storage.disks.append(Disk(source: .file(storage.path(rootName)), target: "vda", bus: .virtio, format: .qcow2))
        }
    }

    /// The data disks, on the targets after the root disk, with their volume
    /// groups' commands; then every new volume measured against the pool.
    func planDataDisks(_ spec: VMSpec, into storage: inout PlannedStorage) throws(VMCtlError) {
        let name = spec.name.rawValue
        let dataTargets = VMVolumeNames.dataTargets(hasRootDisk: !storage.disks.isEmpty)
        guard spec.dataDisks.count <= dataTargets.count else {
            throw .invalid(field: .vm(.dataDisk), "\(spec.dataDisks.count) data disks is not allowed: at most \(dataTargets.count)")
        }
        let groups = spec.dataDisks.compactMap(\.volumeGroup)
        if Set(groups).count != groups.count { throw .invalid(field: .vm(.dataDisk), "the same vg= is given twice") }
        for (disk, target) in zip(spec.dataDisks, dataTargets) {
            try disk.validate(field: .vm(.dataDisk))
            let volumeName = VMVolumeNames.data(name, target: target)
            try storage.add(volumeName, kind: .blank, capacity: disk.size.bytes, format: "qcow2", source: nil)
            let serial = DataDiskSpec.serial(target: target)
            storage.disks.append(Disk(source: .file(storage.path(volumeName)), target: target, bus: .virtio, format: .qcow2, serial: serial))
            if let group = disk.volumeGroup { storage.volumeGroupCommands.append(DataDiskSpec.volumeGroupCommand(group, serial: serial)) }
        }
        for volume in storage.volumes {
            let field: VMField = volume.name.hasPrefix("\(name)-vd") ? .dataDisk : spec.fullCopy ? .fullCopy : spec.diskSize != nil ? .diskSize : .image
            try requireRoom(for: volume, in: storage.pool, field: .vm(field))
        }
        if !storage.volumeGroupCommands.isEmpty && spec.seed == nil {
            throw .invalid(field: .vm(.dataDisk), "vg= is made by cloud-init on first boot: give a cloud-init option too (--ssh-key, --hostname, …)")
        }
    }

    /// The NICs and the names the guest gives them.
    struct PlannedNICs {
        var interfaces: [NetworkInterface]
        var deviceNames: [String]
    }

    /// The NICs: their networks present (or pending), their MACs unique and free, their device names unique.
    func planInterfaces(_ spec: VMSpec) throws(VMCtlError) -> PlannedNICs {
        var interfaces = try spec.networks.map { nic throws(VMCtlError) in try networkInterface(nic, mustBeActive: spec.start) }
        let macs = interfaces.compactMap(\.mac)
        if Set(macs).count != macs.count {
            throw .invalid(field: .vm(.network), "the same mac= is given twice")
        }
        try requireFreeMACs(spec.networks, owners: Set([spec.name.rawValue] + (spec.seed.map { [$0.hostname] } ?? [])))
        let deviceNames = spec.networks.enumerated().map { index, nic in nic.device ?? "eth\(index)" }
        if Set(deviceNames).count != deviceNames.count {
            throw .invalid(field: .vm(.networkDevice), "two NICs are named \(deviceNames.joined(separator: ", "))")
        }
        // systemd names the NIC in PCI slot N `ensN` and keeps that name as an
        // altname after a rename, so renaming NICs to each other's ensN names
        // fails in the guest. A NIC named ensN goes into slot N instead: the
        // guest names it so itself. Other names are set by cloud-init.
        for (index, device) in deviceNames.enumerated() {
            if let slot = NetworkSpec.pciSlot(forDevice: device) { interfaces[index].pciSlot = slot }
        }
        return PlannedNICs(interfaces: interfaces, deviceNames: deviceNames)
    }

    /// The NoCloud seed, with every NIC, the data disks' volume groups and
    /// the guest's host keys, as a CD-ROM volume; and the keys' public halves.
    func planSeed(_ spec: VMSpec, nics: PlannedNICs, into storage: inout PlannedStorage) throws(VMCtlError) -> (Data?, [String]) {
        guard var config = spec.seed else { return (nil, []) }
        // Every NIC by MAC and name: the first by DHCP unless told otherwise, the rest up with no address.
        config.interfaces = zip(spec.networks, zip(nics.interfaces, nics.deviceNames)).enumerated().map { index, item in
            let (nic, (interface, device)) = item
            return SeedConfig.Interface(mac: interface.mac?.description ?? "", name: device, ipv4: nic.ipv4 ?? (index == 0 ? .dhcp : .unconfigured),
                                        mtu: nic.mtu)
        }
        config.runcmd = storage.volumeGroupCommands + config.runcmd
        // The guest's host keys, known before it first boots (a user's own user-data gets none).
        if config.userDataFile == nil && config.sshHostKeys.isEmpty { config.sshHostKeys = try HostKeyMaker.make() }
        let data: Data
        do {
            // A fixed date: the same settings give the same bytes.
            data = try config.isoImage(date: Date(timeIntervalSince1970: 0))
        } catch let error as NoCloudError {
            throw .seed(error)
        } catch {
            throw .invalid(field: .option("cloud-init seed"), "\(error)")
        }
        let seedName = VMVolumeNames.seed(spec.name.rawValue)
        try storage.add(seedName, kind: .seed, capacity: UInt64(data.count), format: "raw", source: nil)
        storage.disks.append(Disk(source: .file(storage.path(seedName)), device: .cdrom, target: "hdd", bus: .ide, format: .raw, readOnly: true))
        return (data, config.sshHostKeys.map(\.publicKey))
    }

    /// The guest's CPU: as asked (a named model the hypervisor knows), TCG's
    /// nearest for host-passthrough, and the nested feature with `--nested`.
    func cpuDefinition(_ spec: VMSpec, type: HypervisorType, host: HostFacts, warnings: inout [String]) throws(VMCtlError) -> CPUDefinition? {
        var cpu: CPUDefinition?
        if let choice = spec.cpu {
            if case .model(let name) = choice { try HypervisorOffer.requireKnownCPUModel(name, on: connection, type: type) }
            cpu = CPUDefinition(mode: choice.mode)
        }
        if type == .qemu, case .hostPassthrough? = cpu?.mode {
            // TCG cannot pass the host CPU through; 'maximum' is its closest equivalent.
            cpu?.mode = .maximum
            warnings.append("--cpu host-passthrough needs KVM; using 'maximum' for a qemu guest")
        }
        if spec.nested {
            if cpu == nil { cpu = CPUDefinition(mode: type == .kvm ? .hostPassthrough : .maximum) }
            cpu?.nested = host.nestedFeature
        }
        return cpu
    }

    /// The domain the steps before decided, checked by the model.
    func domainDefinition(
        _ spec: VMSpec, type: HypervisorType, cpu: CPUDefinition?, disks: [Disk], interfaces: [NetworkInterface],
        records: [VMMetadata.VolumeRecord]
    ) throws(VMCtlError) -> DomainDefinition {
        if spec.firmware == .uefi { try UEFIFirmware.requireAvailable(on: connection, type: type) }
        var os = OSDefinition(arch: "x86_64", firmware: spec.firmware, kernel: spec.kernel, initrd: spec.initrd, cmdline: spec.cmdline)
        if spec.kernel == nil {
            os.bootDevices = spec.cdrom != nil ? [.cdrom, .hd] : [.hd]
        }
        let serial = spec.serialFile.map { CharDevice(source: .file($0), port: 0) } ?? CharDevice(source: .pty, port: 0)
        let display: (graphics: [Graphics], videos: [Video]) = switch spec.graphics {
        case .none: ([], [])
        case .vnc: ([Graphics(type: .vnc)], [Video()])
        case .spice: ([Graphics(type: .spice)], [Video()])
        }
        let domain = DomainDefinition(
            type: type, name: spec.name, metadata: VMMetadata(lab: spec.lab, role: spec.role, volumes: records, login: spec.login),
            memory: spec.memory.size, vcpus: spec.vcpus, os: os, cpu: cpu, disks: disks, interfaces: interfaces,
            serials: [serial], consoles: [CharDevice(source: .pty, targetType: "serial", port: 0)],
            guestAgent: true, graphics: display.graphics, videos: display.videos, memoryBalloon: MemoryBalloon(),
            rng: RNGDevice())
        _ = try parsed { try domain.validate() }
        return domain
    }
}
