import TextSupport

/// The hypervisor type of a domain: `kvm` or `qemu` (emulation).
public struct HypervisorType: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let kvm: HypervisorType = "kvm"
    public static let qemu: HypervisorType = "qemu"
}

/// What the domain does when the guest powers off, reboots or crashes.
public struct LifecycleAction: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let destroy: LifecycleAction = "destroy"
    public static let restart: LifecycleAction = "restart"
    public static let preserve: LifecycleAction = "preserve"
    public static let renameRestart: LifecycleAction = "rename-restart"
}

/// A boot device in `<os><boot dev=…/>`.
public struct BootDevice: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let hd: BootDevice = "hd"
    public static let cdrom: BootDevice = "cdrom"
    public static let network: BootDevice = "network"
    public static let fd: BootDevice = "fd"
}

/// A simple (empty-element) hypervisor feature in `<features>`: `acpi`, `apic`, `pae`.
public struct DomainFeature: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let acpi: DomainFeature = "acpi"
    public static let apic: DomainFeature = "apic"
    public static let pae: DomainFeature = "pae"
}

/// The guest clock's offset from the host.
public struct ClockOffset: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let utc: ClockOffset = "utc"
    public static let localtime: ClockOffset = "localtime"
}

/// How the guest sees the host CPU.
public enum CPUMode: Sendable, Hashable, Codable {
    /// The host CPU exactly (best performance, no migration to different hosts).
    case hostPassthrough
    /// The closest named model to the host CPU, with its extra features.
    case hostModel
    /// The most capable CPU the hypervisor can offer.
    case maximum
    /// A named model such as `Skylake-Client-IBRS` (see ``DomainCapabilities/usableCPUModels``).
    case custom(model: String)
    /// No mode and no model: `<cpu>` only sets topology or similar (libvirt's custom mode without a model).
    case unspecified
}

/// Nested virtualisation: the CPU feature the guest needs to run its own KVM guests.
public enum NestedVirtualization: String, Sendable, Hashable, Codable {
    /// Intel VT-x.
    case vmx
    /// AMD-V.
    case svm
}

/// `<cpu>`: mode and nested virtualisation.
public struct CPUDefinition: Sendable, Hashable, Codable, PreservedValue {
    public var mode: CPUMode
    /// When set, the CPU feature is required (`<feature policy='require' name='vmx'/>`).
    public var nested: NestedVirtualization?
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case mode, nested }

    public init(mode: CPUMode, nested: NestedVirtualization? = nil) {
        self.mode = mode
        self.nested = nested
    }

    static func reread(_ element: XMLTree.Element) throws -> CPUDefinition { try CPUDefinition(element: element) }

    init(element e: XMLTree.Element) throws {
        original = PreservedXML(e)
        switch e.attribute("mode") ?? "custom" {
        case "host-passthrough": mode = .hostPassthrough
        case "host-model": mode = .hostModel
        case "maximum": mode = .maximum
        case "custom":
            if let model = e.child("model") { mode = .custom(model: model.text) } else { mode = .unspecified }
        case let other:
            throw ModelError(field: "cpu.mode", value: other, rule: "must be host-passthrough, host-model, maximum or custom")
        }
        nested = nil
        for feature in e.children("feature") where feature.attribute("policy") == "require" || feature.attribute("policy") == "force" {
            if let name = feature.attribute("name"), let n = NestedVirtualization(rawValue: name) { nested = n }
        }
    }

    func validate() throws {
        if isAsRead { return }
        if case .custom(let model) = mode { try TextRule.checkNonEmpty(model, field: "cpu.model") }
        if mode == .unspecified && nested != nil {
            throw ModelError(field: "cpu.feature", rule: "nested virtualisation needs a CPU mode or model")
        }
    }

    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        var e = original.base("cpu")
        let order = ["model", "vendor", "topology", "cache", "maxphysaddr", "feature", "numa"]
        if differs(\.mode, from: was) { applyMode(to: &e, order: order) }
        if differs(\.nested, from: was) { applyNested(to: &e, order: order) }
        return e
    }

    private func applyMode(to e: inout XMLTree.Element, order: [String]) {
        switch mode {
        case .hostPassthrough:
            e.setAttribute("mode", "host-passthrough")
            e.setChild("model", nil, order: order)
        case .hostModel:
            e.setAttribute("mode", "host-model")
            e.setChild("model", nil, order: order)
        case .maximum:
            e.setAttribute("mode", "maximum")
            e.setChild("model", nil, order: order)
        case .unspecified:
            e.setChild("model", nil, order: order)
        case .custom(let model):
            e.setAttribute("mode", "custom")
            e.setAttribute("match", e.attribute("match") ?? "exact")
            if e.child("model")?.text != model {
                e.updateChild("model", order: order) { $0.setText(model) }
            }
        }
    }

    private func applyNested(to e: inout XMLTree.Element, order: [String]) {
        let features = e.children("feature")
        let kept = features.filter { f in
            guard let name = f.attribute("name"), NestedVirtualization(rawValue: name) != nil else { return true }
            return name == nested?.rawValue && (f.attribute("policy") == "require" || f.attribute("policy") == "force")
        }
        var wanted = kept
        if let nested, !kept.contains(where: { $0.attribute("name") == nested.rawValue }) {
            wanted.append(e.makeChild("feature", [("policy", "require"), ("name", nested.rawValue)]))
        }
        e.replaceChildren(named: "feature", with: wanted, order: order)
    }
}

/// The firmware that boots the guest.
public enum Firmware: String, Sendable, Hashable, Codable {
    /// Legacy BIOS (SeaBIOS), libvirt's default.
    case bios
    /// UEFI (OVMF), chosen automatically by libvirt (`<os firmware='efi'>`).
    case uefi = "efi"
}

/// How `<loader>` maps the firmware image: `rom`, or `pflash` (UEFI's code in
/// flash, with the guest's variables in its NVRAM file).
public struct LoaderType: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let rom: LoaderType = "rom"
    public static let pflash: LoaderType = "pflash"
}

/// `<os><loader>`: the firmware image. libvirt writes it itself when it chose
/// the firmware (`firmware='efi'`), in a running domain's XML.
public struct FirmwareLoader: Sendable, Hashable, Codable {
    /// The image, e.g. `/usr/share/OVMF/OVMF_CODE_4M.fd`.
    public var path: String?
    public var type: LoaderType?
    /// `readonly='yes'` (`no`, or nil when absent).
    public var readOnly: Bool?
    /// `secure='yes'`: Secure Boot (`no`, or nil when absent).
    public var secure: Bool?

    public init(path: String? = nil, type: LoaderType? = nil, readOnly: Bool? = nil, secure: Bool? = nil) {
        self.path = path
        self.type = type
        self.readOnly = readOnly
        self.secure = secure
    }
}

/// `<os><nvram>`: the guest's own UEFI variable store, and the template libvirt
/// copies it from when the file does not exist yet.
public struct NVRAMStore: Sendable, Hashable, Codable {
    /// The guest's file, e.g. `/var/lib/libvirt/qemu/nvram/NAME_VARS.fd`.
    public var path: String?
    /// The empty variable store it is made from, e.g. `/usr/share/OVMF/OVMF_VARS_4M.fd`.
    public var template: String?

    public init(path: String? = nil, template: String? = nil) {
        self.path = path
        self.template = template
    }
}

/// `yes`/`no` attribute values; anything else is an error naming the field.
func yesNoAttribute(_ e: XMLTree.Element, _ name: String, field: String) throws -> Bool? {
    switch e.attribute(name) {
    case nil: return nil
    case "yes": return true
    case "no": return false
    case let other?: throw ModelError(field: field, value: other, rule: "must be 'yes' or 'no'")
    }
}

/// `<os>`: architecture, machine type, firmware, boot order and direct kernel boot.
public struct OSDefinition: Sendable, Hashable, Codable, PreservedValue {
    /// `x86_64`, `aarch64`, …
    public var arch: String?
    /// The machine type, e.g. `pc-q35-7.2` or `q35`.
    public var machine: String?
    /// The firmware libvirt chooses (`firmware='efi'`), or BIOS when the attribute is absent.
    /// A running domain's XML names the chosen firmware in ``loader`` and ``nvram`` instead:
    /// see ``bootsUEFI``.
    public var firmware: Firmware
    /// The firmware image, when given or after libvirt chose it.
    public var loader: FirmwareLoader?
    /// The guest's UEFI variable store, when given or after libvirt chose it.
    public var nvram: NVRAMStore?
    /// Boot devices in order (`<boot dev='hd'/>`). Leave empty when disks or interfaces carry a boot order.
    public var bootDevices: [BootDevice]
    /// Direct kernel boot: the kernel image on the host.
    public var kernel: String?
    /// Direct kernel boot: the initrd on the host.
    public var initrd: String?
    /// Direct kernel boot: the kernel command line.
    public var cmdline: String?
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case arch, machine, firmware, loader, nvram, bootDevices, kernel, initrd, cmdline }

    public init(
        arch: String? = "x86_64", machine: String? = nil, firmware: Firmware = .bios, loader: FirmwareLoader? = nil,
        nvram: NVRAMStore? = nil, bootDevices: [BootDevice] = [], kernel: String? = nil, initrd: String? = nil,
        cmdline: String? = nil
    ) {
        self.arch = arch
        self.machine = machine
        self.firmware = firmware
        self.loader = loader
        self.nvram = nvram
        self.bootDevices = bootDevices
        self.kernel = kernel
        self.initrd = initrd
        self.cmdline = cmdline
    }

    static func reread(_ element: XMLTree.Element) throws -> OSDefinition { try OSDefinition(element: element) }

    init(element e: XMLTree.Element) throws {
        original = PreservedXML(e)
        let type = e.child("type")
        arch = type?.attribute("arch")
        machine = type?.attribute("machine")
        switch e.attribute("firmware") {
        case nil, "bios": firmware = .bios
        case "efi": firmware = .uefi
        case let other?: throw ModelError(field: "os.firmware", value: other, rule: "must be 'bios' or 'efi'")
        }
        if let l = e.child("loader") {
            let path = l.text.trimmingWhitespace()
            loader = FirmwareLoader(
                path: path.isEmpty ? nil : path, type: l.attribute("type").map(LoaderType.init(rawValue:)),
                readOnly: try yesNoAttribute(l, "readonly", field: "os.loader.readonly"),
                secure: try yesNoAttribute(l, "secure", field: "os.loader.secure"))
        }
        if let n = e.child("nvram") {
            let path = n.text.trimmingWhitespace()
            nvram = NVRAMStore(path: path.isEmpty ? nil : path, template: n.attribute("template"))
        }
        bootDevices = e.children("boot").compactMap { $0.attribute("dev").map(BootDevice.init(rawValue:)) }
        kernel = e.childText("kernel")
        initrd = e.childText("initrd")
        cmdline = e.childText("cmdline")
    }

    func validate() throws {
        if isAsRead { return }
        try checkOptionalText(arch, field: "os.arch")
        try checkOptionalText(machine, field: "os.machine")
        if let loader {
            if let path = loader.path { try TextRule.checkPath(path, field: "os.loader") }
            try loader.type?.check(field: "os.loader.type")
        }
        if let nvram {
            if let path = nvram.path { try TextRule.checkPath(path, field: "os.nvram") }
            if let template = nvram.template { try TextRule.checkPath(template, field: "os.nvram.template") }
        }
        for (i, device) in bootDevices.enumerated() { try device.check(field: "os.boot[\(i)]") }
        if let kernel { try TextRule.checkPath(kernel, field: "os.kernel") }
        if let initrd { try TextRule.checkPath(initrd, field: "os.initrd") }
        try checkOptionalText(cmdline, field: "os.cmdline")
        if kernel == nil && (initrd != nil || cmdline != nil) {
            throw ModelError(field: "os.kernel", rule: "initrd and cmdline need a kernel for direct kernel boot")
        }
    }

    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        var e = original.base("os")
        let order = ["type", "firmware", "loader", "nvram", "kernel", "initrd", "cmdline", "dtb", "boot", "bootmenu", "smbios", "bios"]
        if differs(\.firmware, from: was) {
            switch firmware {
            case .bios: if e.attribute("firmware") == "efi" { e.setAttribute("firmware", nil) }
            case .uefi: e.setAttribute("firmware", "efi")
            }
        }
        if differs(\.arch, from: was) || differs(\.machine, from: was) {
            e.updateChild("type", order: order) {
                if $0.attribute("arch") != arch { $0.setAttribute("arch", arch) }
                if $0.attribute("machine") != machine { $0.setAttribute("machine", machine) }
                if $0.text.isEmpty { $0.setText("hvm") }
            }
        }
        if differs(\.loader, from: was) { applyLoader(to: &e, order: order) }
        if differs(\.nvram, from: was) { applyNVRAM(to: &e, order: order) }
        if differs(\.kernel, from: was) { e.setTextChild("kernel", kernel, order: order) }
        if differs(\.initrd, from: was) { e.setTextChild("initrd", initrd, order: order) }
        if differs(\.cmdline, from: was) { e.setTextChild("cmdline", cmdline, order: order) }
        if differs(\.bootDevices, from: was) {
            let existing = e.children("boot")
            let boots = bootDevices.enumerated().map { i, device in
                i < existing.count && existing[i].attribute("dev") == device.rawValue
                    ? existing[i] : e.makeChild("boot", [("dev", device.rawValue)])
            }
            e.replaceChildren(named: "boot", with: boots, order: order)
        }
        return e
    }

    private func applyLoader(to e: inout XMLTree.Element, order: [String]) {
        if let loader {
            e.updateChild("loader", order: order) {
                $0.setAttribute("readonly", loader.readOnly.map { $0 ? "yes" : "no" })
                $0.setAttribute("secure", loader.secure.map { $0 ? "yes" : "no" })
                $0.setAttribute("type", loader.type?.rawValue)
                if $0.text.trimmingWhitespace() != (loader.path ?? "") { $0.setText(loader.path ?? "") }
            }
        } else {
            e.setChild("loader", nil, order: order)
        }
    }

    private func applyNVRAM(to e: inout XMLTree.Element, order: [String]) {
        if let nvram {
            e.updateChild("nvram", order: order) {
                $0.setAttribute("template", nvram.template)
                if $0.text.trimmingWhitespace() != (nvram.path ?? "") { $0.setText(nvram.path ?? "") }
            }
        } else {
            e.setChild("nvram", nil, order: order)
        }
    }

    /// Whether the guest boots UEFI: libvirt chooses it (`firmware='efi'`), or the
    /// XML names a pflash loader or an NVRAM store, as a running domain's XML does
    /// after libvirt chose the firmware.
    public var bootsUEFI: Bool { firmware == .uefi || loader?.type == .pflash || nvram != nil }
}
