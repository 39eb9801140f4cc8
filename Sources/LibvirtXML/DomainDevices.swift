import TextSupport

/// A disk's device kind.
public struct DiskDevice: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let disk: DiskDevice = "disk"
    public static let cdrom: DiskDevice = "cdrom"
}

/// The bus a disk is attached to.
public struct DiskBus: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let virtio: DiskBus = "virtio"
    public static let sata: DiskBus = "sata"
    public static let scsi: DiskBus = "scsi"
    public static let ide: DiskBus = "ide"
}

/// A disk image or volume format.
public struct DiskFormat: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let qcow2: DiskFormat = "qcow2"
    public static let raw: DiskFormat = "raw"
}

/// Where a disk's data comes from; decides `<disk type=…>` and the shape of `<source>`.
public enum DiskSource: Sendable, Hashable, Codable {
    /// An image file on the host (`type='file'`).
    case file(String)
    /// A block device on the host (`type='block'`).
    case block(String)
    /// A volume in a storage pool (`type='volume'`).
    case volume(pool: String, volume: String)
    /// No medium (an empty CD-ROM drive).
    case empty
    /// A source type vmctl does not model (`network`, `nvme`, …), read from XML and kept as it was.
    case unmodeled(type: String)
}

/// `<disk>`: a disk or CD-ROM.
public struct Disk: Sendable, Hashable, Codable, PreservedValue {
    public var source: DiskSource
    public var device: DiskDevice
    /// The guest device name, e.g. `vda`, `sda`.
    public var target: String
    public var bus: DiskBus
    /// The image format (`<driver name='qemu' type=…/>`).
    public var format: DiskFormat?
    public var readOnly: Bool
    /// Per-device boot order (`<boot order='1'/>`).
    public var bootOrder: Int?
    /// `<serial>`: what the guest sees as the disk's serial number, so a
    /// virtio disk shows up as /dev/disk/by-id/virtio-SERIAL whatever its order.
    public var serial: String?
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case source, device, target, bus, format, readOnly, bootOrder, serial }

    public init(
        source: DiskSource, device: DiskDevice = .disk, target: String, bus: DiskBus = .virtio,
        format: DiskFormat? = nil, readOnly: Bool = false, bootOrder: Int? = nil, serial: String? = nil
    ) {
        self.source = source
        self.device = device
        self.target = target
        self.bus = bus
        self.format = format
        self.readOnly = readOnly
        self.bootOrder = bootOrder
        self.serial = serial
    }

    static let order = [
        "driver", "auth", "source", "backingStore", "target", "iotune", "blockio", "readonly", "shareable",
        "transient", "serial", "wwn", "vendor", "product", "encryption", "boot", "alias", "address",
    ]

    static func reread(_ element: XMLTree.Element) throws -> Disk { try Disk(element: element, field: "") }

    init(element e: XMLTree.Element, field: String) throws {
        original = PreservedXML(e)
        let src = e.child("source")
        switch e.attribute("type") ?? "file" {
        case "file":
            source = src?.attribute("file").map(DiskSource.file) ?? .empty
        case "block":
            source = .block(try (src ?? e).required("dev", field: field + ".source"))
        case "volume":
            // A volume disk without <source> is an empty drive, as libvirt reads it.
            if let s = src {
                source = .volume(pool: try s.required("pool", field: field + ".source"), volume: try s.required("volume", field: field + ".source"))
            } else {
                source = .empty
            }
        case let other:
            source = .unmodeled(type: other)
        }
        device = DiskDevice(rawValue: e.attribute("device") ?? "disk")
        let t = try e.requiredChild("target", field: field)
        target = try t.required("dev", field: field + ".target")
        bus = DiskBus(rawValue: t.attribute("bus") ?? "virtio")
        format = e.child("driver")?.attribute("type").map(DiskFormat.init(rawValue:))
        readOnly = e.child("readonly") != nil
        bootOrder = try e.child("boot")?.intAttribute("order", field: field + ".boot.order")
        serial = e.child("serial")?.text
    }

    func validate(field: String) throws {
        if isAsRead { return }
        if let serial {
            // QEMU takes at most 20 characters for a virtio-blk serial; keep to a safe set.
            guard !serial.isEmpty, serial.count <= 20,
                serial.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) })
            else {
                throw ModelError(field: field + ".serial", value: serial, rule: "1-20 letters, digits, -, _ or .")
            }
        }
        switch source {
        case .file(let path), .block(let path): try TextRule.checkPath(path, field: field + ".source")
        case .volume(let pool, let volume):
            // References to existing objects need not follow vmctl's naming rule; they are escaped like any text.
            try TextRule.checkNonEmpty(pool, field: field + ".source.pool")
            try TextRule.checkNonEmpty(volume, field: field + ".source.volume")
        case .empty:
            if device != .cdrom { throw ModelError(field: field + ".source", rule: "only a cdrom may have no source") }
        case .unmodeled(let type):
            try checkKept(type, original: original, field: field + ".type")
        }
        try device.check(field: field + ".device")
        try TextRule.checkNonEmpty(target, field: field + ".target")
        try bus.check(field: field + ".bus")
        try format?.check(field: field + ".format")
        if let bootOrder { try checkPositive(bootOrder, field: field + ".boot.order") }
    }

    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        var e = original.base("disk")
        if differs(\.source, from: was) { applySource(to: &e) }
        if differs(\.device, from: was) { e.setAttribute("device", device.rawValue) }
        if differs(\.format, from: was) {
            if let format {
                e.updateChild("driver", order: Disk.order) {
                    $0.setAttribute("name", $0.attribute("name") ?? "qemu")
                    $0.setAttribute("type", format.rawValue)
                }
            } else if var driver = e.child("driver") {
                driver.setAttribute("type", nil)
                e.setChild("driver", driver.attributes.isEmpty && driver.children.isEmpty ? nil : driver, order: Disk.order)
            }
        }
        if differs(\.target, from: was) || differs(\.bus, from: was) {
            e.updateChild("target", order: Disk.order) {
                $0.setAttribute("dev", target)
                if $0.attribute("bus") != bus.rawValue { $0.setAttribute("bus", bus.rawValue) }
            }
        }
        if differs(\.readOnly, from: was) {
            e.setChild("readonly", readOnly ? e.makeChild("readonly") : nil, order: Disk.order)
        }
        if differs(\.serial, from: was) {
            e.setChild("serial", serial.map { e.makeChild("serial", text: $0) }, order: Disk.order)
        }
        if differs(\.bootOrder, from: was) { setBootOrder(bootOrder, in: &e, order: Disk.order) }
        return e
    }

    /// Sets `type` and the `<source>` attributes; a source of the same type is edited in
    /// place, so its other attributes and children (seclabels, startupPolicy) stay.
    private func applySource(to e: inout XMLTree.Element) {
        let type: String
        let sourceAttributes: [(String, String)]
        switch source {
        case .file(let path): (type, sourceAttributes) = ("file", [("file", path)])
        case .empty: (type, sourceAttributes) = (e.attribute("type") == "volume" ? "volume" : "file", [])
        case .block(let path): (type, sourceAttributes) = ("block", [("dev", path)])
        case .volume(let pool, let volume): (type, sourceAttributes) = ("volume", [("pool", pool), ("volume", volume)])
        case .unmodeled: return  // kept exactly as read
        }
        setSource(type: type, attributes: sourceAttributes, in: &e, order: Disk.order)
    }
}

/// A disk's or interface's `type` and `<source>`: a source of the same type keeps
/// its other attributes and children and changes only these; a new type gets a
/// new `<source>`; no attributes, no `<source>`.
func setSource(type: String, attributes: [(String, String)], in e: inout XMLTree.Element, order: [String]) {
    let sameType = e.attribute("type") == type
    e.setAttribute("type", type)
    if attributes.isEmpty {
        e.setChild("source", nil, order: order)
    } else if sameType, e.child("source") != nil {
        e.updateChild("source", order: order) { s in
            for (name, value) in attributes { s.setAttribute(name, value) }
        }
    } else {
        e.setChild("source", e.makeChild("source", attributes.map { ($0.0, $0.1) }), order: order)
    }
}

func setBootOrder(_ bootOrder: Int?, in e: inout XMLTree.Element, order: [String]) {
    if let bootOrder {
        e.updateChild("boot", order: order) { $0.setAttribute("order", String(bootOrder)) }
    } else {
        e.setChild("boot", nil, order: order)
    }
}

/// How an interface connects to the host; decides `<interface type=…>`.
public enum InterfaceSource: Sendable, Hashable, Codable {
    /// A libvirt virtual network (`type='network'`).
    case network(String)
    /// An existing host bridge (`type='bridge'`).
    case bridge(String)
    /// macvtap on a host device (`type='direct'`); mode is `bridge`, `vepa`, `private` or `passthrough`.
    case direct(device: String, mode: String)
    /// QEMU user-mode networking (`type='user'`).
    case user
    /// An interface type vmctl does not model (`ethernet`, `vhostuser`, `hostdev`, …), read from XML and kept as it was.
    case unmodeled(type: String)
}

/// A NIC model such as `virtio` or `e1000`.
public struct InterfaceModel: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let virtio: InterfaceModel = "virtio"
    public static let e1000: InterfaceModel = "e1000"
    public static let e1000e: InterfaceModel = "e1000e"
    public static let rtl8139: InterfaceModel = "rtl8139"
}

/// `<interface>`: a network interface.
public struct NetworkInterface: Sendable, Hashable, Codable, PreservedValue {
    public var source: InterfaceSource
    public var mac: MACAddress?
    public var model: InterfaceModel?
    public var bootOrder: Int?
    /// The slot on PCI bus 0 (`<address type='pci' domain='0x0000' bus='0x00' slot='…' function='0x0'/>`).
    /// On i440fx guests, systemd names a NIC in slot N `ensN`: pinning the slot
    /// gives the guest that name without any renaming.
    public var pciSlot: Int?
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case source, mac, model, bootOrder, pciSlot }

    public init(source: InterfaceSource, mac: MACAddress? = nil, model: InterfaceModel? = .virtio, bootOrder: Int? = nil,
                pciSlot: Int? = nil) {
        self.source = source
        self.mac = mac
        self.model = model
        self.bootOrder = bootOrder
        self.pciSlot = pciSlot
    }

    /// The slot of a `<address type='pci'>` on domain 0, bus 0, function 0; nil otherwise.
    static func busZeroSlot(_ address: XMLTree.Element?) -> Int? {
        guard let address, address.attribute("type") == "pci" else { return nil }
        func number(_ name: String) -> Int? {
            guard let text = address.attribute(name) else { return name == "slot" ? nil : 0 }
            return text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
        }
        guard number("domain") == 0, number("bus") == 0, number("function") == 0 else { return nil }
        return number("slot")
    }

    static let order = [
        "mac", "source", "virtualport", "ip", "route", "script", "target", "guest", "model", "driver", "backend",
        "filterref", "tune", "link", "mtu", "boot", "rom", "alias", "address",
    ]

    static func reread(_ element: XMLTree.Element) throws -> NetworkInterface { try NetworkInterface(element: element, field: "") }

    init(element e: XMLTree.Element, field: String) throws {
        original = PreservedXML(e)
        let src = e.child("source")
        switch e.attribute("type") ?? "" {
        case "network": source = .network(try (src ?? e).required("network", field: field + ".source"))
        case "bridge": source = .bridge(try (src ?? e).required("bridge", field: field + ".source"))
        case "direct":
            let s = try e.requiredChild("source", field: field)
            source = .direct(device: try s.required("dev", field: field + ".source"), mode: s.attribute("mode") ?? "vepa")
        case "user": source = .user
        case let other:
            source = .unmodeled(type: other)
        }
        mac = try e.child("mac").map { try MACAddress(try $0.required("address", field: field + ".mac"), field: field + ".mac") }
        model = e.child("model")?.attribute("type").map(InterfaceModel.init(rawValue:))
        bootOrder = try e.child("boot")?.intAttribute("order", field: field + ".boot.order")
        pciSlot = Self.busZeroSlot(e.child("address"))
    }

    func validate(field: String) throws {
        if isAsRead { return }
        switch source {
        case .network(let name): try TextRule.checkNonEmpty(name, field: field + ".source.network")
        case .bridge(let name): try TextRule.checkDeviceName(name, field: field + ".source.bridge")
        case .direct(let device, let mode):
            try TextRule.checkDeviceName(device, field: field + ".source.dev")
            guard ["bridge", "vepa", "private", "passthrough"].contains(mode) else {
                throw ModelError(field: field + ".source.mode", value: mode, rule: "must be bridge, vepa, private or passthrough")
            }
        case .user: break
        case .unmodeled(let type): try checkKept(type, original: original, field: field + ".type")
        }
        try model?.check(field: field + ".model")
        if let bootOrder { try checkPositive(bootOrder, field: field + ".boot.order") }
        if let pciSlot, !(1...31).contains(pciSlot) {
            throw ModelError(field: field + ".address.slot", value: String(pciSlot), rule: "must be 1 to 31")
        }
    }

    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        var e = original.base("interface")
        if differs(\.source, from: was) { applySource(to: &e) }
        if differs(\.mac, from: was) {
            if let mac {
                e.updateChild("mac", order: NetworkInterface.order) { $0.setAttribute("address", mac.description) }
            } else {
                e.setChild("mac", nil, order: NetworkInterface.order)
            }
        }
        if differs(\.model, from: was) {
            if let model {
                e.updateChild("model", order: NetworkInterface.order) { $0.setAttribute("type", model.rawValue) }
            } else {
                e.setChild("model", nil, order: NetworkInterface.order)
            }
        }
        if differs(\.pciSlot, from: was), let pciSlot {
            e.setChild("address", e.makeChild("address", [
                ("type", "pci"), ("domain", "0x0000"), ("bus", "0x00"), ("slot", cFormat("0x%02x", pciSlot)), ("function", "0x0"),
            ]), order: NetworkInterface.order)
        }
        if differs(\.bootOrder, from: was) { setBootOrder(bootOrder, in: &e, order: NetworkInterface.order) }
        return e
    }

    /// Sets `type` and the `<source>` attributes; a source of the same type is edited in place.
    private func applySource(to e: inout XMLTree.Element) {
        let type: String
        let sourceAttributes: [(String, String)]
        switch source {
        case .network(let name): (type, sourceAttributes) = ("network", [("network", name)])
        case .bridge(let name): (type, sourceAttributes) = ("bridge", [("bridge", name)])
        case .direct(let device, let mode): (type, sourceAttributes) = ("direct", [("dev", device), ("mode", mode)])
        case .user: (type, sourceAttributes) = ("user", [])
        case .unmodeled: return  // kept exactly as read
        }
        setSource(type: type, attributes: sourceAttributes, in: &e, order: NetworkInterface.order)
    }
}

/// Where a serial port or console sends its data.
public enum CharDeviceSource: Sendable, Hashable, Codable {
    /// A pseudo-terminal (`virsh console`).
    case pty
    /// A log file on the host.
    case file(String)
    /// A type vmctl does not model (`unix`, `tcp`, `udp`, …), read from XML and kept as it was.
    case unmodeled(type: String)
}

/// `<serial>` or `<console>`.
public struct CharDevice: Sendable, Hashable, Codable, PreservedValue {
    public var source: CharDeviceSource
    /// `<target type=…>`: `serial` or `virtio` for consoles, `isa-serial` for serials; nil to let libvirt choose.
    public var targetType: String?
    /// `<target port=…>`.
    public var port: Int?
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case source, targetType, port }

    public init(source: CharDeviceSource = .pty, targetType: String? = nil, port: Int? = 0) {
        self.source = source
        self.targetType = targetType
        self.port = port
    }

    static let order = ["source", "log", "protocol", "target", "alias", "address"]

    static func reread(_ element: XMLTree.Element) throws -> CharDevice { try CharDevice(element: element, field: "") }

    init(element e: XMLTree.Element, field: String) throws {
        original = PreservedXML(e)
        switch e.attribute("type") ?? "pty" {
        case "pty": source = .pty
        case "file":
            source = .file(try e.requiredChild("source", field: field).required("path", field: field + ".source"))
        case let other:
            source = .unmodeled(type: other)
        }
        targetType = e.child("target")?.attribute("type")
        port = try e.child("target")?.intAttribute("port", field: field + ".target.port")
    }

    func validate(field: String) throws {
        if isAsRead { return }
        switch source {
        case .pty: break
        case .file(let path): try TextRule.checkPath(path, field: field + ".source.path")
        case .unmodeled(let type): try checkKept(type, original: original, field: field + ".type")
        }
        try checkOptionalText(targetType, field: field + ".target.type")
        if let port, port < 0 { throw ModelError(field: field + ".target.port", value: String(port), rule: "must not be negative") }
    }

    func element(_ name: String) -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        var e = original.base(name)
        if differs(\.source, from: was) { applySource(to: &e) }
        if differs(\.targetType, from: was) || differs(\.port, from: was) {
            e.updateChild("target", order: CharDevice.order) {
                if $0.attribute("type") != targetType { $0.setAttribute("type", targetType) }
                if $0.attribute("port") != port.map(String.init) { $0.setAttribute("port", port.map(String.init)) }
            }
        }
        return e
    }

    private func applySource(to e: inout XMLTree.Element) {
        switch source {
        case .pty:
            e.setAttribute("type", "pty")
            if e.child("source")?.attribute("path") != nil && original.element?.attribute("type") != "pty" {
                e.setChild("source", nil, order: CharDevice.order)
            }
        case .file(let path):
            e.setAttribute("type", "file")
            e.updateChild("source", order: CharDevice.order) { $0.setAttribute("path", path) }
        case .unmodeled:
            break
        }
    }
}

/// The remote display protocol.
public struct GraphicsType: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let vnc: GraphicsType = "vnc"
    public static let spice: GraphicsType = "spice"
}

/// `<graphics>`: VNC or SPICE.
public struct Graphics: Sendable, Hashable, Codable, PreservedValue {
    public var type: GraphicsType
    /// The address to listen on, e.g. `127.0.0.1`.
    public var listen: String?
    /// A fixed port; nil lets libvirt allocate one (`autoport='yes'`).
    public var port: Int?
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case type, listen, port }

    public init(type: GraphicsType = .vnc, listen: String? = "127.0.0.1", port: Int? = nil) {
        self.type = type
        self.listen = listen
        self.port = port
    }

    static func reread(_ element: XMLTree.Element) throws -> Graphics { try Graphics(element: element, field: "") }

    init(element e: XMLTree.Element, field: String) throws {
        original = PreservedXML(e)
        type = GraphicsType(rawValue: try e.required("type", field: field))
        let portValue = try e.intAttribute("port", field: field + ".port")
        port = e.attribute("autoport") == "yes" || portValue == -1 ? nil : portValue
        listen = e.children("listen").first { $0.attribute("type") == "address" }?.attribute("address") ?? e.attribute("listen")
    }

    func validate(field: String) throws {
        if isAsRead { return }
        try type.check(field: field + ".type")
        if let listen { _ = try IPAddress(listen, field: field + ".listen") }
        if let port, !(1...65535).contains(port) {
            throw ModelError(field: field + ".port", value: String(port), rule: "must be 1–65535, or nil for autoport")
        }
    }

    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        var e = original.base("graphics")
        if differs(\.type, from: was) { e.setAttribute("type", type.rawValue) }
        if differs(\.port, from: was) { applyPort(to: &e) }
        if differs(\.listen, from: was) { applyListen(to: &e) }
        return e
    }

    private func applyPort(to e: inout XMLTree.Element) {
        if let port {
            e.setAttribute("port", String(port))
            e.setAttribute("autoport", "no")
        } else if e.attribute("autoport") != "yes" {
            // A running domain shows the port libvirt picked next to autoport='yes'; leave that alone.
            e.setAttribute("port", "-1")
            e.setAttribute("autoport", "yes")
        }
    }

    private func applyListen(to e: inout XMLTree.Element) {
        e.setAttribute("listen", listen)
        let listens = e.children("listen")
        let others = listens.filter { $0.attribute("type") != "address" }
        var address = listens.first { $0.attribute("type") == "address" }
        if let listen {
            if address?.attribute("address") != listen {
                address = e.makeChild("listen", [("type", "address"), ("address", listen)])
            }
        } else {
            address = nil
        }
        e.replaceChildren(named: "listen", with: (address.map { [$0] } ?? []) + others, order: ["listen"])
    }
}

/// `<video>`: the display adapter model (`virtio`, `qxl`, `vga`, `bochs`, `cirrus`).
public struct Video: Sendable, Hashable, Codable, PreservedValue {
    public var model: String
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case model }

    public init(model: String = "virtio") { self.model = model }

    static func reread(_ element: XMLTree.Element) throws -> Video { try Video(element: element, field: "") }

    init(element e: XMLTree.Element, field: String) throws {
        original = PreservedXML(e)
        model = try e.requiredChild("model", field: field).required("type", field: field + ".model")
    }

    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        var e = original.base("video")
        e.updateChild("model", order: ["driver", "model", "alias", "address"]) { $0.setAttribute("type", model) }
        return e
    }
}

/// `<rng>`: a virtio random number generator fed from a host device.
public struct RNGDevice: Sendable, Hashable, Codable, PreservedValue {
    public var model: String
    /// The host entropy source of a `random` backend, usually `/dev/urandom`;
    /// nil for other backends (`egd`, `builtin`), which are kept as read.
    public var backend: String?
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case model, backend }

    public init(model: String = "virtio", backend: String? = "/dev/urandom") {
        self.model = model
        self.backend = backend
    }

    static func reread(_ element: XMLTree.Element) throws -> RNGDevice { try RNGDevice(element: element, field: "") }

    init(element e: XMLTree.Element, field: String) throws {
        original = PreservedXML(e)
        model = try e.required("model", field: field)
        let b = try e.requiredChild("backend", field: field)
        backend = (b.attribute("model") ?? "random") == "random" ? b.text : nil
    }

    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        var e = original.base("rng")
        if differs(\.model, from: was) { e.setAttribute("model", model) }
        if differs(\.backend, from: was), let backend {
            e.updateChild("backend", order: ["rate", "backend", "alias", "address"]) {
                $0.setAttribute("model", "random")
                $0.setText(backend)
            }
        }
        return e
    }
}

/// `<memballoon>`: the balloon device (`virtio`, or `none` to have none).
public struct MemoryBalloon: Sendable, Hashable, Codable, PreservedValue {
    public var model: String
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case model }

    public init(model: String = "virtio") { self.model = model }

    static func reread(_ element: XMLTree.Element) throws -> MemoryBalloon { try MemoryBalloon(element: element, field: "") }

    init(element e: XMLTree.Element, field: String) throws {
        original = PreservedXML(e)
        model = try e.required("model", field: field)
    }

    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        var e = original.base("memballoon")
        e.setAttribute("model", model)
        return e
    }
}

/// A value that vmctl does not model may only be kept from XML that was read, never created.
func checkKept(_ type: String, original: PreservedXML, field: String) throws {
    guard original.element != nil else {
        throw ModelError(field: field, value: type, rule: "types vmctl does not model can only be kept from XML that was read")
    }
}
