import FoundationEssentials

/// A libvirt domain (`<domain>`): a VM definition.
///
/// Build one in code, or read one with ``init(xml:)``. A definition read from XML keeps
/// its parsed tree; ``xml()`` edits only the nodes whose values changed, so devices,
/// addresses, controllers and anything else the model does not know survive byte for byte.
public struct DomainDefinition: XMLDocumentConvertible, PreservedValue, Hashable, Codable {
    public var type: HypervisorType
    public var name: ObjectName
    public var uuid: UUID?
    /// A short title (one line).
    public var title: String?
    public var description: String?
    /// vmctl's metadata, in its own namespace under `<metadata>`.
    public var metadata: VMMetadata?
    /// Maximum memory (`<memory>`), written in KiB.
    public var memory: ByteSize
    /// Memory at boot (`<currentMemory>`), written in KiB; nil means the same as ``memory``.
    public var currentMemory: ByteSize?
    public var vcpus: Int
    public var os: OSDefinition
    public var features: [DomainFeature]
    public var cpu: CPUDefinition?
    public var clock: ClockOffset?
    public var onPoweroff: LifecycleAction?
    public var onReboot: LifecycleAction?
    public var onCrash: LifecycleAction?
    /// The emulator binary, e.g. `/usr/bin/qemu-system-x86_64` (see ``HostCapabilities``).
    public var emulator: String?
    public var disks: [Disk]
    public var interfaces: [NetworkInterface]
    public var serials: [CharDevice]
    public var consoles: [CharDevice]
    /// Whether the qemu-guest-agent channel (`org.qemu.guest_agent.0`) is present.
    public var guestAgent: Bool
    public var graphics: [Graphics]
    public var videos: [Video]
    public var memoryBalloon: MemoryBalloon?
    public var rng: RNGDevice?
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey {
        case type, name, uuid, title, description, metadata, memory, currentMemory, vcpus, os, features, cpu
        case clock, onPoweroff, onReboot, onCrash, emulator, disks, interfaces, serials, consoles, guestAgent
        case graphics, videos, memoryBalloon, rng
    }

    /// The name of the qemu-guest-agent virtio channel.
    public static let guestAgentChannel = "org.qemu.guest_agent.0"

    public init(
        type: HypervisorType = .kvm, name: ObjectName, uuid: UUID? = nil, title: String? = nil, description: String? = nil,
        metadata: VMMetadata? = nil, memory: ByteSize, currentMemory: ByteSize? = nil, vcpus: Int = 1,
        os: OSDefinition = OSDefinition(), features: [DomainFeature] = [.acpi, .apic], cpu: CPUDefinition? = nil,
        clock: ClockOffset? = .utc, onPoweroff: LifecycleAction? = .destroy, onReboot: LifecycleAction? = .restart,
        onCrash: LifecycleAction? = .destroy, emulator: String? = nil, disks: [Disk] = [], interfaces: [NetworkInterface] = [],
        serials: [CharDevice] = [], consoles: [CharDevice] = [], guestAgent: Bool = false, graphics: [Graphics] = [],
        videos: [Video] = [], memoryBalloon: MemoryBalloon? = nil, rng: RNGDevice? = nil
    ) {
        self.type = type
        self.name = name
        self.uuid = uuid
        self.title = title
        self.description = description
        self.metadata = metadata
        self.memory = memory
        self.currentMemory = currentMemory
        self.vcpus = vcpus
        self.os = os
        self.features = features
        self.cpu = cpu
        self.clock = clock
        self.onPoweroff = onPoweroff
        self.onReboot = onReboot
        self.onCrash = onCrash
        self.emulator = emulator
        self.disks = disks
        self.interfaces = interfaces
        self.serials = serials
        self.consoles = consoles
        self.guestAgent = guestAgent
        self.graphics = graphics
        self.videos = videos
        self.memoryBalloon = memoryBalloon
        self.rng = rng
    }

    static let order = [
        "name", "uuid", "genid", "title", "description", "metadata", "maxMemory", "memory", "currentMemory",
        "blkiotune", "memtune", "memoryBacking", "vcpu", "vcpus", "iothreads", "cputune", "numatune", "resource",
        "sysinfo", "bootloader", "bootloader_args", "os", "idmap", "features", "cpu", "clock", "on_poweroff",
        "on_reboot", "on_crash", "on_lockfailure", "pm", "perf", "devices", "seclabel",
    ]

    static let deviceOrder = [
        "emulator", "disk", "controller", "lease", "filesystem", "interface", "smartcard", "serial", "parallel",
        "console", "channel", "input", "tpm", "graphics", "sound", "audio", "video", "hostdev", "redirdev",
        "redirfilter", "hub", "watchdog", "memballoon", "rng", "panic", "shmem", "memory", "iommu", "vsock",
    ]

    public init(xml: String) throws {
        try self.init(element: try parseRoot(xml, expected: "domain"))
    }

    static func reread(_ element: XMLTree.Element) throws -> DomainDefinition { try DomainDefinition(element: element) }

    init(element root: XMLTree.Element) throws {
        original = PreservedXML(root)
        type = HypervisorType(rawValue: try root.required("type", field: "type"))
        name = try ObjectName(libvirtName: try root.requiredChild("name", field: "name").text)
        uuid = try root.childText("uuid").map { try parseUUID($0) }
        title = root.childText("title")
        description = root.childText("description")
        metadata = nil
        if let m = root.child("metadata") {
            for child in m.elements {
                if let prefix = VMMetadata.prefix(of: child) {
                    metadata = try VMMetadata(element: child, prefix: prefix)
                    break
                }
            }
        }
        guard let memory = try root.size("memory", defaultUnit: "KiB", field: "memory") ?? Self.numaMemory(root) else {
            throw ModelError(field: "memory", rule: "<domain> needs a <memory> element or NUMA cells with memory")
        }
        self.memory = memory
        currentMemory = try root.size("currentMemory", defaultUnit: "KiB", field: "currentMemory")
        vcpus = try root.child("vcpu").map { try parseInt($0.text, field: "vcpu") } ?? 1
        os = try OSDefinition(element: try root.requiredChild("os", field: "os"))
        features = (root.child("features")?.elements ?? [])
            .filter { $0.attributes.isEmpty && $0.children.isEmpty }
            .map { DomainFeature(rawValue: $0.name) }
        cpu = try root.child("cpu").map { try CPUDefinition(element: $0) }
        clock = root.child("clock")?.attribute("offset").map(ClockOffset.init(rawValue:))
        onPoweroff = root.childText("on_poweroff").map(LifecycleAction.init(rawValue:))
        onReboot = root.childText("on_reboot").map(LifecycleAction.init(rawValue:))
        onCrash = root.childText("on_crash").map(LifecycleAction.init(rawValue:))
        let devices = root.child("devices") ?? XMLTree.Element("devices")
        emulator = devices.childText("emulator")
        disks = try devices.children("disk").enumerated().map { try Disk(element: $1, field: "disk[\($0)]") }
        interfaces = try devices.children("interface").enumerated().map {
            try NetworkInterface(element: $1, field: "interface[\($0)]")
        }
        serials = try devices.children("serial").enumerated().map { try CharDevice(element: $1, field: "serial[\($0)]") }
        consoles = try devices.children("console").enumerated().map { try CharDevice(element: $1, field: "console[\($0)]") }
        guestAgent = devices.children("channel").contains(where: DomainDefinition.isGuestAgent)
        graphics = try devices.children("graphics").enumerated().map { try Graphics(element: $1, field: "graphics[\($0)]") }
        videos = try devices.children("video").enumerated().map { try Video(element: $1, field: "video[\($0)]") }
        memoryBalloon = try devices.child("memballoon").map { try MemoryBalloon(element: $0, field: "memballoon") }
        rng = try devices.child("rng").map { try RNGDevice(element: $0, field: "rng") }
    }

    /// The memory of the NUMA cells, which libvirt takes as the total when `<memory>` is absent.
    static func numaMemory(_ root: XMLTree.Element) throws -> ByteSize? {
        let cells = root.child("cpu")?.child("numa")?.children("cell") ?? []
        guard !cells.isEmpty else { return nil }
        var bytes: UInt64 = 0
        for (i, cell) in cells.enumerated() {
            let size = try ByteSize(
                libvirtValue: try cell.required("memory", field: "cpu.numa.cell[\(i)]"), unit: cell.attribute("unit"),
                defaultUnit: "KiB", field: "cpu.numa.cell[\(i)].memory")
            bytes += size.bytes
        }
        return ByteSize(bytes: bytes)
    }

    static func isGuestAgent(_ channel: XMLTree.Element) -> Bool {
        channel.child("target")?.attribute("name") == guestAgentChannel
    }

    public func validate() throws {
        // A definition as libvirt gave it is libvirt's to judge; only what changed is checked.
        let was = asRead
        if was == self { return }
        try type.check(field: "type")
        try checkOptionalText(title, field: "title")
        if let title, title.isEmpty || title.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) {
            throw ModelError(field: "title", value: title, rule: "must be a single, non-empty line")
        }
        try checkOptionalText(description, field: "description")
        try metadata?.validate()
        try validateSizes(differs(\.memory, from: was) || differs(\.currentMemory, from: was))
        try checkPositive(vcpus, field: "vcpu")
        try os.validate()
        for (i, feature) in features.enumerated() where differs(\.features, from: was) {
            guard feature.rawValue.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0 == "_" || $0 == "-") }),
                !feature.rawValue.isEmpty
            else {
                throw ModelError(field: "features[\(i)]", value: feature.rawValue, rule: "must be a feature element name such as acpi")
            }
        }
        try cpu?.validate()
        try clock?.check(field: "clock.offset")
        try onPoweroff?.check(field: "on_poweroff")
        try onReboot?.check(field: "on_reboot")
        try onCrash?.check(field: "on_crash")
        if let emulator, differs(\.emulator, from: was) { try TextRule.checkPath(emulator, field: "devices.emulator") }
        try validateDevices(checkTargets: differs(\.disks, from: was), checkRNG: differs(\.rng, from: was))
        if differs(\.disks, from: was) || differs(\.interfaces, from: was) || differs(\.os, from: was) { try validateBootOrders() }
    }

    private func validateSizes(_ changed: Bool) throws {
        guard changed else { return }
        guard memory.bytes > 0, memory.exactKiB != nil else {
            throw ModelError(field: "memory", value: memory.description, rule: "must be a positive whole number of KiB")
        }
        if let currentMemory {
            guard currentMemory.exactKiB != nil, currentMemory.bytes > 0, currentMemory <= memory else {
                throw ModelError(
                    field: "currentMemory", value: currentMemory.description,
                    rule: "must be a positive whole number of KiB, at most memory (\(memory))")
            }
        }
    }

    private func validateDevices(checkTargets: Bool, checkRNG: Bool) throws {
        for (i, disk) in disks.enumerated() { try disk.validate(field: "devices.disk[\(i)]") }
        let targets = disks.map(\.target)
        if checkTargets, let duplicate = targets.first(where: { t in targets.filter { $0 == t }.count > 1 }) {
            throw ModelError(field: "devices.disk", value: duplicate, rule: "disk targets must be unique")
        }
        for (i, interface) in interfaces.enumerated() { try interface.validate(field: "devices.interface[\(i)]") }
        for (i, serial) in serials.enumerated() { try serial.validate(field: "devices.serial[\(i)]") }
        for (i, console) in consoles.enumerated() { try console.validate(field: "devices.console[\(i)]") }
        for (i, g) in graphics.enumerated() { try g.validate(field: "devices.graphics[\(i)]") }
        for (i, v) in videos.enumerated() where !v.isAsRead { try TextRule.checkNonEmpty(v.model, field: "devices.video[\(i)].model") }
        if let memoryBalloon, !memoryBalloon.isAsRead {
            try TextRule.checkNonEmpty(memoryBalloon.model, field: "devices.memballoon.model")
        }
        if let rng, checkRNG, !rng.isAsRead {
            try TextRule.checkNonEmpty(rng.model, field: "devices.rng.model")
            if let backend = rng.backend { try TextRule.checkPath(backend, field: "devices.rng.backend") }
            if rng.backend == nil && rng.original.element == nil {
                throw ModelError(field: "devices.rng.backend", rule: "a new rng device needs a backend path such as /dev/urandom")
            }
        }
    }

    private func validateBootOrders() throws {
        let deviceBoots = disks.compactMap(\.bootOrder) + interfaces.compactMap(\.bootOrder)
        if !deviceBoots.isEmpty && !os.bootDevices.isEmpty {
            throw ModelError(field: "os.boot", rule: "per-device boot orders cannot be combined with <os><boot dev=…/>")
        }
        if Set(deviceBoots).count != deviceBoots.count {
            throw ModelError(field: "devices.boot.order", rule: "boot orders must be unique")
        }
    }

    public func xml() throws -> String {
        try validate()
        return element().serialized()
    }

    /// The domain's tree: the preserved one with only the fields that changed applied.
    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        let order = DomainDefinition.order
        var e = original.base("domain")
        if differs(\.type, from: was) { e.setAttribute("type", type.rawValue) }
        if differs(\.name, from: was) { e.setTextChild("name", name.rawValue, order: order) }
        if differs(\.uuid, from: was) { e.setUUID(uuid, order: order) }
        if differs(\.title, from: was) { e.setTextChild("title", title, order: order) }
        if differs(\.description, from: was) { e.setTextChild("description", description, order: order) }
        if differs(\.metadata, from: was) { setMetadata(in: &e) }
        if differs(\.memory, from: was) { e.setSize("memory", memory, unit: .kib, defaultUnit: "KiB", order: order) }
        if differs(\.currentMemory, from: was) { e.setSize("currentMemory", currentMemory, unit: .kib, defaultUnit: "KiB", order: order) }
        if differs(\.vcpus, from: was) { e.updateChild("vcpu", order: order) { $0.setText(String(vcpus)) } }
        if differs(\.os, from: was) { e.setChild("os", os.element(), order: order) }
        if differs(\.features, from: was) { setFeatures(in: &e) }
        if differs(\.cpu, from: was) { e.setChild("cpu", cpu?.element(), order: order) }
        if differs(\.clock, from: was) {
            if let clock {
                e.updateChild("clock", order: order) { $0.setAttribute("offset", clock.rawValue) }
            } else {
                e.setChild("clock", nil, order: order)
            }
        }
        if differs(\.onPoweroff, from: was) { e.setTextChild("on_poweroff", onPoweroff?.rawValue, order: order) }
        if differs(\.onReboot, from: was) { e.setTextChild("on_reboot", onReboot?.rawValue, order: order) }
        if differs(\.onCrash, from: was) { e.setTextChild("on_crash", onCrash?.rawValue, order: order) }
        if devicesDiffer(from: was) {
            e.updateChild("devices", order: order) { applyDevices(to: &$0, was: was) }
        }
        return e
    }

    /// Whether any field written under `<devices>` differs from `was`.
    private func devicesDiffer(from was: DomainDefinition?) -> Bool {
        guard let was else { return true }
        return was.emulator != emulator || was.disks != disks || was.interfaces != interfaces || was.serials != serials
            || was.consoles != consoles || was.guestAgent != guestAgent || was.graphics != graphics || was.videos != videos
            || was.memoryBalloon != memoryBalloon || was.rng != rng
    }

    private func applyDevices(to d: inout XMLTree.Element, was: DomainDefinition?) {
        let o = DomainDefinition.deviceOrder
        if differs(\.emulator, from: was) { d.setTextChild("emulator", emulator, order: o) }
        if differs(\.disks, from: was) { d.replaceChildren(named: "disk", with: disks.map { $0.element() }, order: o) }
        if differs(\.interfaces, from: was) { d.replaceChildren(named: "interface", with: interfaces.map { $0.element() }, order: o) }
        if differs(\.serials, from: was) { d.replaceChildren(named: "serial", with: serials.map { $0.element("serial") }, order: o) }
        if differs(\.consoles, from: was) { d.replaceChildren(named: "console", with: consoles.map { $0.element("console") }, order: o) }
        if differs(\.guestAgent, from: was) { setGuestAgent(in: &d) }
        if differs(\.graphics, from: was) { d.replaceChildren(named: "graphics", with: graphics.map { $0.element() }, order: o) }
        if differs(\.videos, from: was) { d.replaceChildren(named: "video", with: videos.map { $0.element() }, order: o) }
        // The model holds the first balloon and RNG; a second one stays as it is.
        if differs(\.memoryBalloon, from: was) { d.setFirstChild("memballoon", memoryBalloon?.element(), order: o) }
        if differs(\.rng, from: was) { d.setFirstChild("rng", rng?.element(), order: o) }
    }

    private func setMetadata(in e: inout XMLTree.Element) {
        var m = e.child("metadata") ?? XMLTree.Element("metadata")
        let index = m.children.firstIndex {
            if case .element(let child) = $0 { return VMMetadata.prefix(of: child) != nil }
            return false
        }
        if let metadata {
            if let index { m.children[index] = .element(metadata.element()) } else { m.children.append(.element(metadata.element())) }
        } else if let index {
            m.children.remove(at: index)
        }
        e.setChild("metadata", m.children.isEmpty ? nil : m, order: DomainDefinition.order)
    }

    private func setFeatures(in e: inout XMLTree.Element) {
        var f = e.child("features") ?? XMLTree.Element("features")
        let wanted = Set(features.map(\.rawValue))
        f.children.removeAll {
            if case .element(let c) = $0, c.attributes.isEmpty, c.children.isEmpty { return !wanted.contains(c.name) }
            return false
        }
        for feature in features where f.child(feature.rawValue) == nil {
            f.children.append(.element(f.makeChild(feature.rawValue)))
        }
        e.setChild("features", f.children.isEmpty ? nil : f, order: DomainDefinition.order)
    }

    private func setGuestAgent(in d: inout XMLTree.Element) {
        let present = d.children("channel").contains(where: DomainDefinition.isGuestAgent)
        if guestAgent == present { return }
        var channels = d.children("channel")
        if guestAgent {
            var channel = d.makeChild("channel", [("type", "unix")])
            channel.children = [.element(d.makeChild("target", [("type", "virtio"), ("name", DomainDefinition.guestAgentChannel)]))]
            channels.append(channel)
        } else {
            channels.removeAll(where: DomainDefinition.isGuestAgent)
        }
        d.replaceChildren(named: "channel", with: channels, order: DomainDefinition.deviceOrder)
    }
}
