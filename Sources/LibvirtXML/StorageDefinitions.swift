import FoundationEssentials

/// A storage pool backend.
public struct StoragePoolType: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A directory on the host.
    public static let dir: StoragePoolType = "dir"
    /// A block device with a file system, mounted by libvirt.
    public static let fs: StoragePoolType = "fs"
    /// A network file system (NFS), mounted by libvirt.
    public static let netfs: StoragePoolType = "netfs"
    /// An LVM volume group.
    public static let logical: StoragePoolType = "logical"
}

/// Ownership and mode of a pool's target directory or a volume's file.
public struct Permissions: Sendable, Hashable, Codable {
    /// Octal mode, e.g. `0755`.
    public var mode: String?
    public var owner: Int?
    public var group: Int?
    /// SELinux label.
    public var label: String?

    public init(mode: String? = nil, owner: Int? = nil, group: Int? = nil, label: String? = nil) {
        self.mode = mode
        self.owner = owner
        self.group = group
        self.label = label
    }

    init(element p: XMLTree.Element, field: String) throws {
        mode = p.childText("mode")
        owner = try p.childText("owner").map { try parseInt($0, field: field + ".owner") }
        group = try p.childText("group").map { try parseInt($0, field: field + ".group") }
        label = p.childText("label")
    }

    func validate(field: String) throws {
        if let mode {
            guard (1...4).contains(mode.count), mode.allSatisfy({ ("0"..."7").contains($0) }) else {
                throw ModelError(field: field + ".mode", value: mode, rule: "must be an octal mode such as 0755")
            }
        }
        if let owner, owner < -1 { throw ModelError(field: field + ".owner", value: String(owner), rule: "must be a uid or -1") }
        if let group, group < -1 { throw ModelError(field: field + ".group", value: String(group), rule: "must be a gid or -1") }
        try checkOptionalText(label, field: field + ".label")
    }

    /// Writes the fields that differ from `was` (all of them without it).
    func apply(to p: inout XMLTree.Element, was: Permissions?) {
        let order = ["mode", "owner", "group", "label"]
        if mode != was?.mode { p.setTextChild("mode", mode, order: order) }
        if owner != was?.owner { p.setTextChild("owner", owner.map(String.init), order: order) }
        if group != was?.group { p.setTextChild("group", group.map(String.init), order: order) }
        if label != was?.label { p.setTextChild("label", label, order: order) }
    }
}

/// A pool's `<source>`: where the storage comes from.
public struct PoolSource: Sendable, Hashable, Codable {
    /// NFS servers (`<host name=…/>`), for `netfs`.
    public var hosts: [String]
    /// Block devices (`<device path=…/>`), for `fs` and `logical`.
    public var devices: [String]
    /// The exported directory (`<dir path=…/>`), for `netfs`.
    public var dir: String?
    /// The volume group name, for `logical`.
    public var name: String?
    /// The source format: `nfs`, `ext4`, `lvm2`, `auto`, …
    public var format: String?

    public init(hosts: [String] = [], devices: [String] = [], dir: String? = nil, name: String? = nil, format: String? = nil) {
        self.hosts = hosts
        self.devices = devices
        self.dir = dir
        self.name = name
        self.format = format
    }

    var isEmpty: Bool { hosts.isEmpty && devices.isEmpty && dir == nil && name == nil && format == nil }
}

/// A libvirt storage pool (`<pool>`).
public struct StoragePoolDefinition: XMLDocumentConvertible, PreservedValue, Hashable, Codable {
    public var type: StoragePoolType
    public var name: ObjectName
    public var uuid: UUID?
    public var source: PoolSource
    /// The target: a directory for `dir`, `fs`, `netfs`; `/dev/VG` for `logical`.
    public var targetPath: String?
    public var permissions: Permissions?
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case type, name, uuid, source, targetPath, permissions }

    public init(
        type: StoragePoolType, name: ObjectName, uuid: UUID? = nil, source: PoolSource = PoolSource(),
        targetPath: String? = nil, permissions: Permissions? = nil
    ) {
        self.type = type
        self.name = name
        self.uuid = uuid
        self.source = source
        self.targetPath = targetPath
        self.permissions = permissions
    }

    static let order = ["name", "uuid", "capacity", "allocation", "available", "features", "source", "target"]
    static let sourceOrder = ["host", "device", "dir", "adapter", "initiator", "auth", "name", "format", "vendor", "product"]

    public init(xml: String) throws {
        try self.init(element: try parseRoot(xml, expected: "pool"))
    }

    static func reread(_ element: XMLTree.Element) throws -> StoragePoolDefinition { try StoragePoolDefinition(element: element) }

    init(element root: XMLTree.Element) throws {
        original = PreservedXML(root)
        type = StoragePoolType(rawValue: try root.required("type", field: "type"))
        let s = root.child("source") ?? XMLTree.Element("source")
        // libvirt names a logical pool without <name> after its volume group.
        let nameElement = root.child("name") ?? (type == .logical ? s.child("name") : nil)
        guard let nameElement else { throw ModelError(field: "name", rule: "<pool> needs a <name> element") }
        name = try ObjectName(libvirtName: nameElement.text)
        uuid = try root.childText("uuid").map { try parseUUID($0) }
        source = PoolSource(
            hosts: s.children("host").compactMap { $0.attribute("name") },
            devices: s.children("device").compactMap { $0.attribute("path") },
            dir: s.child("dir")?.attribute("path"),
            name: s.childText("name"),
            format: s.child("format")?.attribute("type"))
        let target = root.child("target")
        targetPath = target?.childText("path")
        permissions = try target?.child("permissions").map { try Permissions(element: $0, field: "target.permissions") }
    }

    public func validate() throws {
        // A pool as libvirt gave it is libvirt's to judge; only what changed is checked.
        let was = asRead
        if was == self { return }
        try type.check(field: "type")
        if differs(\.source, from: was) { try validateSource() }
        if let targetPath, differs(\.targetPath, from: was) { try TextRule.checkPath(targetPath, field: "target.path") }
        if differs(\.permissions, from: was) { try permissions?.validate(field: "target.permissions") }
        if differs(\.type, from: was) || differs(\.source, from: was) || differs(\.targetPath, from: was) { try validateShape() }
    }

    private func validateSource() throws {
        for (i, host) in source.hosts.enumerated() { try TextRule.checkHostname(host, field: "source.host[\(i)]") }
        for (i, device) in source.devices.enumerated() { try TextRule.checkPath(device, field: "source.device[\(i)]") }
        if let dir = source.dir { try TextRule.checkPath(dir, field: "source.dir") }
        if let vg = source.name { _ = try ObjectName(vg, field: "source.name") }
        try checkOptionalText(source.format, field: "source.format")
    }

    /// What each pool type needs.
    private func validateShape() throws {
        switch type {
        case .dir:
            if targetPath == nil { throw ModelError(field: "target.path", rule: "a dir pool needs a target directory") }
        case .fs:
            if source.devices.isEmpty { throw ModelError(field: "source.device", rule: "an fs pool needs a source device") }
            if targetPath == nil { throw ModelError(field: "target.path", rule: "an fs pool needs a mount point") }
        case .netfs:
            if source.hosts.isEmpty { throw ModelError(field: "source.host", rule: "a netfs pool needs a server") }
            if source.dir == nil { throw ModelError(field: "source.dir", rule: "a netfs pool needs the exported directory") }
            if targetPath == nil { throw ModelError(field: "target.path", rule: "a netfs pool needs a mount point") }
        case .logical:
            if source.name == nil && source.devices.isEmpty {
                throw ModelError(field: "source.name", rule: "a logical pool needs a volume group name or devices")
            }
        default: break
        }
    }

    public func xml() throws -> String {
        try validate()
        return element().serialized()
    }

    /// The pool's tree: the preserved one with only the fields that changed applied.
    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        let order = StoragePoolDefinition.order
        var e = original.base("pool")
        if differs(\.type, from: was) { e.setAttribute("type", type.rawValue) }
        if differs(\.name, from: was) { e.setTextChild("name", name.rawValue, order: order) }
        if differs(\.uuid, from: was) { e.setUUID(uuid, order: order) }
        if differs(\.source, from: was) { applySource(to: &e) }
        if differs(\.targetPath, from: was) || differs(\.permissions, from: was) {
            e.updateChild("target", order: order) { t in
                if differs(\.targetPath, from: was) { t.setTextChild("path", targetPath, order: ["path", "permissions"]) }
                guard differs(\.permissions, from: was) else { return }
                if let permissions {
                    t.updateChild("permissions", order: ["path", "permissions"]) { permissions.apply(to: &$0, was: was?.permissions) }
                } else {
                    t.setChild("permissions", nil, order: [])
                }
            }
        }
        return e
    }

    private func applySource(to e: inout XMLTree.Element) {
        let order = StoragePoolDefinition.order
        if !source.isEmpty || e.child("source") != nil {
            e.updateChild("source", order: order) { s in
                let o = StoragePoolDefinition.sourceOrder
                func list(_ name: String, _ attribute: String, _ values: [String]) {
                    let existing = s.children(name)
                    s.replaceChildren(
                        named: name,
                        with: values.map { v in existing.first { $0.attribute(attribute) == v } ?? s.makeChild(name, [(attribute, v)]) },
                        order: o)
                }
                list("host", "name", source.hosts)
                list("device", "path", source.devices)
                list("dir", "path", source.dir.map { [$0] } ?? [])
                s.setTextChild("name", source.name, order: o)
                list("format", "type", source.format.map { [$0] } ?? [])
            }
        }
    }
}

/// A volume's backing store: the image it is an overlay of.
public struct BackingStore: Sendable, Hashable, Codable {
    public var path: String
    public var format: DiskFormat?

    public init(path: String, format: DiskFormat? = nil) {
        self.path = path
        self.format = format
    }
}

/// A libvirt storage volume (`<volume>`).
public struct StorageVolumeDefinition: XMLDocumentConvertible, PreservedValue, Hashable, Codable {
    public var name: ObjectName
    /// The size the guest sees. Written in bytes. 0 when a document read gives none
    /// (libvirt then takes the size of the backing store).
    public var capacity: ByteSize
    /// Space allocated up front; nil lets libvirt decide (0 for sparse qcow2). Written in bytes.
    public var allocation: ByteSize?
    public var format: DiskFormat?
    /// The volume's path (read from libvirt; set by the pool on creation).
    public var targetPath: String?
    public var permissions: Permissions?
    public var backingStore: BackingStore?
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey {
        case name, capacity, allocation, format, targetPath, permissions, backingStore
    }

    public init(
        name: ObjectName, capacity: ByteSize, allocation: ByteSize? = nil, format: DiskFormat? = nil,
        targetPath: String? = nil, permissions: Permissions? = nil, backingStore: BackingStore? = nil
    ) {
        self.name = name
        self.capacity = capacity
        self.allocation = allocation
        self.format = format
        self.targetPath = targetPath
        self.permissions = permissions
        self.backingStore = backingStore
    }

    static let order = ["name", "key", "source", "capacity", "allocation", "physical", "target", "backingStore"]
    static let targetOrder = ["path", "format", "permissions", "timestamps", "encryption", "compat", "nocow", "clusterSize", "features"]

    public init(xml: String) throws {
        try self.init(element: try parseRoot(xml, expected: "volume"))
    }

    static func reread(_ element: XMLTree.Element) throws -> StorageVolumeDefinition { try StorageVolumeDefinition(element: element) }

    init(element root: XMLTree.Element) throws {
        original = PreservedXML(root)
        name = try ObjectName(libvirtName: try root.requiredChild("name", field: "name").text)
        capacity = try root.size("capacity", defaultUnit: "bytes", field: "capacity") ?? ByteSize(bytes: 0)
        allocation = try root.size("allocation", defaultUnit: "bytes", field: "allocation")
        let target = root.child("target")
        targetPath = target?.childText("path")
        format = target?.child("format")?.attribute("type").map(DiskFormat.init(rawValue:))
        permissions = try target?.child("permissions").map { try Permissions(element: $0, field: "target.permissions") }
        backingStore = try root.child("backingStore").map { b in
            BackingStore(
                path: try b.requiredChild("path", field: "backingStore").text,
                format: b.child("format")?.attribute("type").map(DiskFormat.init(rawValue:)))
        }
    }

    public func validate() throws {
        // A volume as libvirt gave it is libvirt's to judge; only what changed is checked.
        let was = asRead
        if was == self { return }
        if differs(\.capacity, from: was) || differs(\.allocation, from: was) {
            guard capacity.bytes > 0 else { throw ModelError(field: "capacity", value: capacity.description, rule: "must be more than 0 bytes") }
            if let allocation, allocation > capacity {
                throw ModelError(field: "allocation", value: allocation.description, rule: "must not exceed capacity (\(capacity))")
            }
        }
        if differs(\.format, from: was) { try format?.check(field: "target.format") }
        if let targetPath, differs(\.targetPath, from: was) { try TextRule.checkPath(targetPath, field: "target.path") }
        if differs(\.permissions, from: was) { try permissions?.validate(field: "target.permissions") }
        if let backingStore, differs(\.backingStore, from: was) {
            try TextRule.checkPath(backingStore.path, field: "backingStore.path")
            try backingStore.format?.check(field: "backingStore.format")
        }
    }

    public func xml() throws -> String {
        try validate()
        return element().serialized()
    }

    /// The volume's tree: the preserved one with only the fields that changed applied.
    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        let order = StorageVolumeDefinition.order
        var e = original.base("volume")
        if original.element == nil { e.setAttribute("type", "file") }
        if differs(\.name, from: was) { e.setTextChild("name", name.rawValue, order: order) }
        if differs(\.capacity, from: was) { e.setSize("capacity", capacity, unit: .bytes, defaultUnit: "bytes", order: order) }
        if differs(\.allocation, from: was) { e.setSize("allocation", allocation, unit: .bytes, defaultUnit: "bytes", order: order) }
        if differs(\.targetPath, from: was) || differs(\.format, from: was) || differs(\.permissions, from: was) {
            e.updateChild("target", order: order) { applyTarget(to: &$0, was: was) }
        }
        if differs(\.backingStore, from: was) { applyBackingStore(to: &e) }
        return e
    }

    private func applyTarget(to t: inout XMLTree.Element, was: StorageVolumeDefinition?) {
        let o = StorageVolumeDefinition.targetOrder
        if differs(\.targetPath, from: was) { t.setTextChild("path", targetPath, order: o) }
        if differs(\.format, from: was) {
            if let format {
                t.updateChild("format", order: o) { $0.setAttribute("type", format.rawValue) }
            } else {
                t.setChild("format", nil, order: o)
            }
        }
        if differs(\.permissions, from: was) {
            if let permissions {
                t.updateChild("permissions", order: o) { permissions.apply(to: &$0, was: was?.permissions) }
            } else {
                t.setChild("permissions", nil, order: o)
            }
        }
    }

    private func applyBackingStore(to e: inout XMLTree.Element) {
        let order = StorageVolumeDefinition.order
        if let backingStore {
            e.updateChild("backingStore", order: order) { b in
                b.setTextChild("path", backingStore.path, order: ["path", "format", "permissions"])
                if let f = backingStore.format {
                    b.updateChild("format", order: ["path", "format", "permissions"]) { $0.setAttribute("type", f.rawValue) }
                } else {
                    b.setChild("format", nil, order: [])
                }
            }
        } else {
            e.setChild("backingStore", nil, order: order)
        }
    }
}
