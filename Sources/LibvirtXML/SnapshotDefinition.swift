/// Whether and how a snapshot captures something.
public struct SnapshotKind: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let no: SnapshotKind = "no"
    public static let `internal`: SnapshotKind = "internal"
    public static let external: SnapshotKind = "external"
}

/// How a snapshot captures the guest's memory.
public enum SnapshotMemory: Sendable, Hashable, Codable {
    /// Disks only.
    case no
    /// Inside the qcow2 images.
    case `internal`
    /// To a file on the host.
    case external(file: String)
}

/// How a snapshot captures one disk (`<disks><disk name=… snapshot=…>`).
public struct SnapshotDisk: Sendable, Hashable, Codable, PreservedValue {
    /// The disk's target (`vda`) or source path.
    public var name: String
    public var snapshot: SnapshotKind
    /// For external snapshots: the overlay's format.
    public var driverType: DiskFormat?
    /// For external snapshots: the overlay file.
    public var sourceFile: String?

    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case name, snapshot, driverType, sourceFile }

    public init(name: String, snapshot: SnapshotKind, driverType: DiskFormat? = nil, sourceFile: String? = nil) {
        self.name = name
        self.snapshot = snapshot
        self.driverType = driverType
        self.sourceFile = sourceFile
    }

    static func reread(_ element: XMLTree.Element) throws -> SnapshotDisk { try SnapshotDisk(element: element, field: "") }

    init(element d: XMLTree.Element, field: String) throws {
        original = PreservedXML(d)
        name = try d.required("name", field: field)
        snapshot = SnapshotKind(rawValue: d.attribute("snapshot") ?? "external")
        driverType = d.child("driver")?.attribute("type").map(DiskFormat.init(rawValue:))
        sourceFile = d.child("source")?.attribute("file")
    }

    /// The preserved node while the disk reads the same from it.
    var kept: XMLTree.Element? { unchangedElement }
}

/// A domain snapshot (`<domainsnapshot>`).
public struct SnapshotDefinition: XMLDocumentConvertible, PreservedValue, Hashable, Codable {
    /// nil lets libvirt name it after the creation time.
    public var name: ObjectName?
    public var description: String?
    public var memory: SnapshotMemory?
    public var disks: [SnapshotDisk]
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case name, description, memory, disks }

    public init(name: ObjectName? = nil, description: String? = nil, memory: SnapshotMemory? = nil, disks: [SnapshotDisk] = []) {
        self.name = name
        self.description = description
        self.memory = memory
        self.disks = disks
    }

    static let order = [
        "name", "description", "state", "creationTime", "memory", "disks", "active", "parent", "domain", "inactiveDomain", "cookie",
    ]

    public init(xml: String) throws {
        try self.init(element: try parseRoot(xml, expected: "domainsnapshot"))
    }

    static func reread(_ element: XMLTree.Element) throws -> SnapshotDefinition { try SnapshotDefinition(element: element) }

    init(element root: XMLTree.Element) throws {
        original = PreservedXML(root)
        name = try root.childText("name").map { try ObjectName(libvirtName: $0) }
        description = root.childText("description")
        if let m = root.child("memory") {
            switch try m.required("snapshot", field: "memory") {
            case "no": memory = .no
            case "internal": memory = .internal
            case "external": memory = .external(file: try m.required("file", field: "memory"))
            case let other: throw ModelError(field: "memory.snapshot", value: other, rule: "must be no, internal or external")
            }
        } else {
            memory = nil
        }
        disks = try (root.child("disks")?.children("disk") ?? []).enumerated().map { i, d in
            try SnapshotDisk(element: d, field: "disks.disk[\(i)]")
        }
    }

    public func validate() throws {
        if isAsRead { return }
        try checkOptionalText(description, field: "description")
        if case .external(let file) = memory { try TextRule.checkPath(file, field: "memory.file") }
        for (i, disk) in disks.enumerated() where disk.kept == nil {
            let f = "disks.disk[\(i)]"
            try TextRule.checkNonEmpty(disk.name, field: f + ".name")
            guard [SnapshotKind.no, .internal, .external].contains(disk.snapshot) else {
                throw ModelError(field: f + ".snapshot", value: disk.snapshot.rawValue, rule: "must be no, internal or external")
            }
            try disk.driverType?.check(field: f + ".driver.type")
            if let file = disk.sourceFile { try TextRule.checkPath(file, field: f + ".source.file") }
            if disk.snapshot != .external && (disk.sourceFile != nil || disk.driverType != nil) {
                throw ModelError(field: f, rule: "only external disk snapshots have a driver or source file")
            }
        }
    }

    public func xml() throws -> String {
        try validate()
        return element().serialized()
    }

    /// The snapshot's tree: the preserved one with only the fields that changed applied.
    func element() -> XMLTree.Element {
        if let kept = unchangedElement { return kept }
        let was = asRead
        let order = SnapshotDefinition.order
        var e = original.base("domainsnapshot")
        if differs(\.name, from: was) { e.setTextChild("name", name?.rawValue, order: order) }
        if differs(\.description, from: was) { e.setTextChild("description", description, order: order) }
        if differs(\.memory, from: was) { applyMemory(to: &e) }
        if differs(\.disks, from: was) { applyDisks(to: &e) }
        return e
    }

    private func applyMemory(to e: inout XMLTree.Element) {
        let order = SnapshotDefinition.order
        if let memory {
            e.updateChild("memory", order: order) { m in
                switch memory {
                case .no: m.setAttribute("snapshot", "no"); m.setAttribute("file", nil)
                case .internal: m.setAttribute("snapshot", "internal"); m.setAttribute("file", nil)
                case .external(let file): m.setAttribute("snapshot", "external"); m.setAttribute("file", file)
                }
            }
        } else {
            e.setChild("memory", nil, order: order)
        }
    }

    private func applyDisks(to e: inout XMLTree.Element) {
        let order = SnapshotDefinition.order
        if disks.isEmpty {
            e.setChild("disks", nil, order: order)
        } else {
            e.updateChild("disks", order: order) { list in
                let existing = list.children("disk")
                let items = disks.map { disk -> XMLTree.Element in
                    if let kept = disk.kept { return kept }
                    var d = existing.first { $0.attribute("name") == disk.name } ?? list.makeChild("disk", [("name", disk.name)])
                    d.setAttribute("snapshot", disk.snapshot.rawValue)
                    if disk.sourceFile != nil, d.attribute("type") == nil { d.setAttribute("type", "file") }
                    let o = ["driver", "source"]
                    if let t = disk.driverType {
                        d.updateChild("driver", order: o) { $0.setAttribute("type", t.rawValue) }
                    } else {
                        d.setChild("driver", nil, order: o)
                    }
                    if let file = disk.sourceFile {
                        d.updateChild("source", order: o) { $0.setAttribute("file", file) }
                    } else {
                        d.setChild("source", nil, order: o)
                    }
                    return d
                }
                list.replaceChildren(named: "disk", with: items, order: [])
            }
        }
    }
}
