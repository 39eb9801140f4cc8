/// The host's capabilities (`virsh capabilities`, `virConnectGetCapabilities`): which guest
/// architectures, emulators, machine types and domain types (kvm, qemu) are on offer.
///
/// Read-only in practice: ``xml()`` writes back the document it was read from, unchanged,
/// as long as the model's values still match it.
public struct HostCapabilities: XMLDocumentConvertible, PreservedValue, Hashable, Codable {
    /// The host CPU's architecture, e.g. `x86_64`.
    public var hostArch: String?
    /// The host CPU's model name as libvirt sees it.
    public var hostCPUModel: String?
    public var hostCPUVendor: String?
    public var guests: [Guest]
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case hostArch, hostCPUModel, hostCPUVendor, guests }

    /// A machine type an emulator offers.
    public struct Machine: Sendable, Hashable, Codable {
        public var name: String
        /// For an alias such as `pc` or `q35`: the versioned machine it stands for.
        public var canonical: String?
        public var maxCPUs: Int?
        public var deprecated: Bool

        public init(name: String, canonical: String? = nil, maxCPUs: Int? = nil, deprecated: Bool = false) {
            self.name = name
            self.canonical = canonical
            self.maxCPUs = maxCPUs
            self.deprecated = deprecated
        }
    }

    /// A hypervisor type for a guest architecture, with its own emulator and machines if they differ.
    public struct GuestDomain: Sendable, Hashable, Codable {
        public var type: HypervisorType
        public var emulator: String?
        public var machines: [Machine]

        public init(type: HypervisorType, emulator: String? = nil, machines: [Machine] = []) {
            self.type = type
            self.emulator = emulator
            self.machines = machines
        }
    }

    /// One `<guest>`: an OS type on an architecture.
    public struct Guest: Sendable, Hashable, Codable {
        /// `hvm` for full virtualisation.
        public var osType: String
        public var arch: String
        public var wordSize: Int?
        public var emulator: String?
        public var machines: [Machine]
        public var domains: [GuestDomain]

        public init(
            osType: String = "hvm", arch: String, wordSize: Int? = nil, emulator: String? = nil, machines: [Machine] = [],
            domains: [GuestDomain] = []
        ) {
            self.osType = osType
            self.arch = arch
            self.wordSize = wordSize
            self.emulator = emulator
            self.machines = machines
            self.domains = domains
        }
    }

    public init(hostArch: String? = nil, hostCPUModel: String? = nil, hostCPUVendor: String? = nil, guests: [Guest] = []) {
        self.hostArch = hostArch
        self.hostCPUModel = hostCPUModel
        self.hostCPUVendor = hostCPUVendor
        self.guests = guests
    }

    public init(xml: String) throws {
        try self.init(element: try parseRoot(xml, expected: "capabilities"))
    }

    static func reread(_ element: XMLTree.Element) throws -> HostCapabilities { try HostCapabilities(element: element) }

    init(element root: XMLTree.Element) throws {
        original = PreservedXML(root)
        let cpu = root.child("host")?.child("cpu")
        hostArch = cpu?.childText("arch")
        hostCPUModel = cpu?.childText("model")
        hostCPUVendor = cpu?.childText("vendor")
        guests = try root.children("guest").enumerated().map { i, g in try HostCapabilities.guest(g, field: "guest[\(i)]") }
    }

    private static func guest(_ g: XMLTree.Element, field: String) throws -> Guest {
        let arch = try g.requiredChild("arch", field: field)
        return Guest(
            osType: g.childText("os_type") ?? "hvm",
            arch: try arch.required("name", field: field + ".arch"),
            wordSize: try arch.childText("wordsize").map { try parseInt($0, field: field + ".arch.wordsize") },
            emulator: arch.childText("emulator"),
            machines: try HostCapabilities.machines(arch, field: field + ".arch"),
            domains: try arch.children("domain").enumerated().map { j, d in
                GuestDomain(
                    type: HypervisorType(rawValue: try d.required("type", field: field + ".arch.domain[\(j)]")),
                    emulator: d.childText("emulator"),
                    machines: try HostCapabilities.machines(d, field: field + ".arch.domain[\(j)]"))
            })
    }

    private static func machines(_ e: XMLTree.Element, field: String) throws -> [Machine] {
        try e.children("machine").enumerated().map { i, m in
            Machine(
                name: m.text, canonical: m.attribute("canonical"),
                maxCPUs: try m.intAttribute("maxCpus", field: field + ".machine[\(i)].maxCpus"),
                deprecated: m.attribute("deprecated") == "yes")
        }
    }

    /// The guests (OS types) offered for `arch`; hvm guests first.
    public func guests(arch: String) -> [Guest] {
        let matching = guests.filter { $0.arch == arch }
        return matching.filter { $0.osType == "hvm" } + matching.filter { $0.osType != "hvm" }
    }

    /// The domain types offered for `arch`, e.g. `[.qemu, .kvm]`.
    public func domainTypes(arch: String) -> [HypervisorType] {
        var seen: [HypervisorType] = []
        for guest in guests(arch: arch) {
            for domain in guest.domains where !seen.contains(domain.type) { seen.append(domain.type) }
        }
        return seen
    }

    /// `kvm` when offered for `arch`, else `qemu` when offered, else nil.
    public func preferredDomainType(arch: String) -> HypervisorType? {
        let types = domainTypes(arch: arch)
        if types.contains(.kvm) { return .kvm }
        if types.contains(.qemu) { return .qemu }
        return types.first
    }

    /// The emulator for `arch` and `domainType`: the domain's own, else the architecture's.
    public func emulator(arch: String, domainType: HypervisorType) -> String? {
        for guest in guests(arch: arch) {
            if let domain = guest.domains.first(where: { $0.type == domainType }) {
                return domain.emulator ?? guest.emulator
            }
        }
        return nil
    }

    /// The machine types for `arch` (and `domainType`, whose own list wins when it has one).
    public func machines(arch: String, domainType: HypervisorType? = nil) -> [Machine] {
        for guest in guests(arch: arch) {
            if let domainType, let domain = guest.domains.first(where: { $0.type == domainType }), !domain.machines.isEmpty {
                return domain.machines
            }
            if !guest.machines.isEmpty { return guest.machines }
        }
        return []
    }

    /// The versioned machine an alias (`pc`, `q35`) stands for, or the name itself if it is not an alias.
    public func canonicalMachine(_ name: String, arch: String) -> String? {
        guard let machine = machines(arch: arch).first(where: { $0.name == name }) else { return nil }
        return machine.canonical ?? machine.name
    }

    public func validate() throws {
        if isAsRead { return }
        for (i, guest) in guests.enumerated() {
            try TextRule.checkNonEmpty(guest.arch, field: "guest[\(i)].arch")
            try TextRule.checkNonEmpty(guest.osType, field: "guest[\(i)].os_type")
            try checkOptionalText(guest.emulator, field: "guest[\(i)].emulator")
            for m in guest.machines + guest.domains.flatMap(\.machines) { try TextRule.checkNonEmpty(m.name, field: "guest[\(i)].machine") }
        }
        try checkOptionalText(hostArch, field: "host.cpu.arch")
        try checkOptionalText(hostCPUModel, field: "host.cpu.model")
        try checkOptionalText(hostCPUVendor, field: "host.cpu.vendor")
    }

    public func xml() throws -> String {
        try validate()
        return element().serialized()
    }

    /// The capabilities' tree: the preserved one with only the fields that changed applied.
    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        var root = original.base("capabilities")
        let cpuChanged = differs(\.hostArch, from: was) || differs(\.hostCPUModel, from: was) || differs(\.hostCPUVendor, from: was)
        if cpuChanged {
            root.updateChild("host", order: ["host", "guest"]) { host in
                host.updateChild("cpu", order: ["uuid", "cpu"]) { cpu in
                    let order = ["arch", "model", "vendor", "microcode", "signature", "counter", "topology", "feature", "pages"]
                    if differs(\.hostArch, from: was) { cpu.setTextChild("arch", hostArch, order: order) }
                    if differs(\.hostCPUModel, from: was) { cpu.setTextChild("model", hostCPUModel, order: order) }
                    if differs(\.hostCPUVendor, from: was) { cpu.setTextChild("vendor", hostCPUVendor, order: order) }
                }
            }
        }
        if differs(\.guests, from: was) {
            // A guest that still reads the same from its node keeps that node.
            let existing = root.children("guest")
            let elements = guests.enumerated().map { i, guest in
                i < existing.count && (try? HostCapabilities.guest(existing[i], field: "")) == guest ? existing[i] : Self.guestElement(guest)
            }
            root.replaceChildren(named: "guest", with: elements, order: ["host", "guest"])
        }
        return root
    }

    private static func guestElement(_ guest: Guest) -> XMLTree.Element {
        func machineElements(_ machines: [Machine]) -> [XMLTree.Node] {
            machines.map {
                .element(.make("machine", [("canonical", $0.canonical), ("maxCpus", $0.maxCPUs.map(String.init)), ("deprecated", $0.deprecated ? "yes" : nil)], text: $0.name))
            }
        }
        var g = XMLTree.Element("guest")
        g.children.append(.element(.make("os_type", text: guest.osType)))
        var arch = XMLTree.Element.make("arch", [("name", guest.arch)])
        if let w = guest.wordSize { arch.children.append(.element(.make("wordsize", text: String(w)))) }
        if let e = guest.emulator { arch.children.append(.element(.make("emulator", text: e))) }
        arch.children += machineElements(guest.machines)
        for domain in guest.domains {
            var d = XMLTree.Element.make("domain", [("type", domain.type.rawValue)])
            if let e = domain.emulator { d.children.append(.element(.make("emulator", text: e))) }
            d.children += machineElements(domain.machines)
            arch.children.append(.element(d))
        }
        g.children.append(.element(arch))
        return g
    }
}

/// What one emulator offers for one domain type, machine and architecture
/// (`virsh domcapabilities`, `virConnectGetDomainCapabilities`): CPU modes and models, firmware.
public struct DomainCapabilities: XMLDocumentConvertible, PreservedValue, Hashable, Codable {
    /// The emulator binary.
    public var path: String
    public var domainType: HypervisorType
    public var machine: String?
    public var arch: String
    public var maxVCPUs: Int?
    /// Firmware values the `firmware` attribute of `<os>` accepts here (e.g. `efi`, `bios`).
    public var firmwares: [String]
    public var hostPassthroughSupported: Bool
    public var maximumSupported: Bool
    /// The model host-model would give, when host-model is supported.
    public var hostModel: String?
    /// The named models custom mode offers.
    public var cpuModels: [CPUModel]
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey {
        case path, domainType, machine, arch, maxVCPUs, firmwares, hostPassthroughSupported, maximumSupported
        case hostModel, cpuModels
    }

    /// A named CPU model and whether it can run on this host.
    public struct CPUModel: Sendable, Hashable, Codable {
        public var name: String
        /// `yes`, `no` or `unknown`.
        public var usable: String
        public var vendor: String?
        public var deprecated: Bool

        public init(name: String, usable: String = "yes", vendor: String? = nil, deprecated: Bool = false) {
            self.name = name
            self.usable = usable
            self.vendor = vendor
            self.deprecated = deprecated
        }
    }

    public init(
        path: String, domainType: HypervisorType, machine: String? = nil, arch: String, maxVCPUs: Int? = nil,
        firmwares: [String] = [], hostPassthroughSupported: Bool = false, maximumSupported: Bool = false,
        hostModel: String? = nil, cpuModels: [CPUModel] = []
    ) {
        self.path = path
        self.domainType = domainType
        self.machine = machine
        self.arch = arch
        self.maxVCPUs = maxVCPUs
        self.firmwares = firmwares
        self.hostPassthroughSupported = hostPassthroughSupported
        self.maximumSupported = maximumSupported
        self.hostModel = hostModel
        self.cpuModels = cpuModels
    }

    /// Names of custom models usable on this host, deprecated ones last.
    public var usableCPUModels: [String] {
        let usable = cpuModels.filter { $0.usable == "yes" }
        return usable.filter { !$0.deprecated }.map(\.name) + usable.filter(\.deprecated).map(\.name)
    }

    /// The CPU modes supported here, best first.
    public var supportedCPUModes: [CPUMode] {
        var modes: [CPUMode] = []
        if hostPassthroughSupported { modes.append(.hostPassthrough) }
        if hostModel != nil { modes.append(.hostModel) }
        if maximumSupported { modes.append(.maximum) }
        modes += usableCPUModels.map { .custom(model: $0) }
        return modes
    }

    /// Whether UEFI firmware can be selected automatically.
    public var supportsUEFI: Bool { firmwares.contains("efi") }

    public init(xml: String) throws {
        try self.init(element: try parseRoot(xml, expected: "domainCapabilities"))
    }

    static func reread(_ element: XMLTree.Element) throws -> DomainCapabilities { try DomainCapabilities(element: element) }

    init(element root: XMLTree.Element) throws {
        original = PreservedXML(root)
        path = try root.requiredChild("path", field: "path").text
        domainType = HypervisorType(rawValue: try root.requiredChild("domain", field: "domain").text)
        machine = root.childText("machine")
        arch = try root.requiredChild("arch", field: "arch").text
        maxVCPUs = try root.child("vcpu")?.intAttribute("max", field: "vcpu.max")
        firmwares = (root.child("os")?.children("enum").first { $0.attribute("name") == "firmware" }?.children("value") ?? []).map(\.text)
        let modes = root.child("cpu")?.children("mode") ?? []
        func mode(_ name: String) -> XMLTree.Element? {
            modes.first { $0.attribute("name") == name && $0.attribute("supported") == "yes" }
        }
        hostPassthroughSupported = mode("host-passthrough") != nil
        maximumSupported = mode("maximum") != nil
        hostModel = mode("host-model")?.childText("model")
        cpuModels = (mode("custom")?.children("model") ?? []).map(DomainCapabilities.cpuModel)
    }

    private static func cpuModel(_ m: XMLTree.Element) -> CPUModel {
        CPUModel(name: m.text, usable: m.attribute("usable") ?? "unknown", vendor: m.attribute("vendor"), deprecated: m.attribute("deprecated") == "yes")
    }

    public func validate() throws {
        if isAsRead { return }
        try TextRule.checkNonEmpty(path, field: "path")
        try domainType.check(field: "domain")
        try checkOptionalText(machine, field: "machine")
        try TextRule.checkNonEmpty(arch, field: "arch")
        try checkOptionalText(hostModel, field: "cpu.host-model")
        for (i, m) in cpuModels.enumerated() { try TextRule.checkNonEmpty(m.name, field: "cpu.custom.model[\(i)]") }
        for (i, f) in firmwares.enumerated() { try TextRule.checkNonEmpty(f, field: "os.firmware[\(i)]") }
    }

    public func xml() throws -> String {
        try validate()
        return element().serialized()
    }

    static let order = ["path", "domain", "machine", "arch", "vcpu", "iothreads", "os", "cpu", "memoryBacking", "devices", "features"]

    /// The document's tree: the preserved one with only the fields that changed applied.
    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        let order = DomainCapabilities.order
        var root = original.base("domainCapabilities")
        if differs(\.path, from: was) { root.setTextChild("path", path, order: order) }
        if differs(\.domainType, from: was) { root.setTextChild("domain", domainType.rawValue, order: order) }
        if differs(\.machine, from: was) { root.setTextChild("machine", machine, order: order) }
        if differs(\.arch, from: was) { root.setTextChild("arch", arch, order: order) }
        if differs(\.maxVCPUs, from: was) {
            root.setChild("vcpu", maxVCPUs.map { max in root.makeChild("vcpu", [("max", String(max))]) }, order: order)
        }
        if differs(\.firmwares, from: was) {
            root.updateChild("os", order: order) { os in
                if os.attribute("supported") == nil { os.setAttribute("supported", "yes") }
                var values = os.children("enum").first { $0.attribute("name") == "firmware" } ?? os.makeChild("enum", [("name", "firmware")])
                values.replaceChildren(named: "value", with: firmwares.map { values.makeChild("value", text: $0) }, order: [])
                os.replaceChildren(
                    named: "enum", with: os.children("enum").filter { $0.attribute("name") != "firmware" } + [values], order: ["loader", "enum"])
            }
        }
        let modesChanged = differs(\.hostPassthroughSupported, from: was) || differs(\.maximumSupported, from: was)
            || differs(\.hostModel, from: was) || differs(\.cpuModels, from: was)
        if modesChanged { root.updateChild("cpu", order: order) { applyModes(to: &$0, was: was) } }
        return root
    }

    /// Edits each `<mode>` whose value changed: its `supported` flag and models.
    private func applyModes(to cpu: inout XMLTree.Element, was: DomainCapabilities?) {
        func edit(_ name: String, supported: Bool, _ body: (inout XMLTree.Element) -> Void = { _ in }) {
            var modes = cpu.children("mode")
            let index = modes.firstIndex { $0.attribute("name") == name }
            var mode = index.map { modes[$0] } ?? cpu.makeChild("mode", [("name", name)])
            mode.setAttribute("supported", supported ? "yes" : "no")
            body(&mode)
            if let index { modes[index] = mode } else { modes.append(mode) }
            cpu.replaceChildren(named: "mode", with: modes, order: [])
        }
        if differs(\.hostPassthroughSupported, from: was) { edit("host-passthrough", supported: hostPassthroughSupported) }
        if differs(\.maximumSupported, from: was) { edit("maximum", supported: maximumSupported) }
        if differs(\.hostModel, from: was) {
            edit("host-model", supported: hostModel != nil) { $0.setTextChild("model", hostModel, order: ["model", "vendor", "feature"]) }
        }
        if differs(\.cpuModels, from: was) {
            edit("custom", supported: !cpuModels.isEmpty) { mode in
                let existing = mode.children("model")
                let models = cpuModels.map { model in
                    existing.first { DomainCapabilities.cpuModel($0) == model }
                        ?? mode.makeChild("model", [("usable", model.usable), ("deprecated", model.deprecated ? "yes" : nil), ("vendor", model.vendor)], text: model.name)
                }
                mode.replaceChildren(named: "model", with: models, order: [])
            }
        }
    }
}
