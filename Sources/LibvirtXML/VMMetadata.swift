/// vmctl's own metadata about a VM, stored in the domain's `<metadata>` under
/// vmctl's namespace:
///
/// ```xml
/// <vmctl:vm xmlns:vmctl="https://vmctl.dev/xmlns/vm/1.0">
///   <vmctl:lab>lab1</vmctl:lab>
///   <vmctl:role>compute</vmctl:role>
///   <vmctl:volumes>
///     <vmctl:volume pool="default" name="web1.qcow2" created="yes"/>
///     <vmctl:volume path="/srv/iso/seed.iso" created="no"/>
///   </vmctl:volumes>
///   <vmctl:login user="debian" key="/root/.ssh/id_ed25519"/>
/// </vmctl:vm>
/// ```
///
/// libvirt serialises metadata with libxml2 (double quotes), so the writer does too.
/// The fragment that ``xml()`` writes is what `virDomainSetMetadata` takes, with
/// ``namespaceURI`` as the URI and ``prefix`` as the key.
public struct VMMetadata: XMLDocumentConvertible, Hashable, Codable {
    /// vmctl's metadata namespace.
    public static let namespaceURI = "https://vmctl.dev/xmlns/vm/1.0"
    /// The prefix vmctl writes.
    public static let prefix = "vmctl"

    /// The lab the VM belongs to.
    public var lab: ObjectName?
    /// The VM's role in the lab (`controller`, `compute`).
    public var role: ObjectName?
    /// Volumes vmctl attached to the VM, and whether vmctl created them (and so may delete them).
    public var volumes: [VolumeRecord]
    /// How to log in to the guest over SSH, as given when it was created:
    /// what readiness checks, `lab inventory` and `vm ssh` use.
    public var login: Login?
    var original = PreservedXML()

    /// The preserved tree is not part of the encoded value.
    enum CodingKeys: String, CodingKey { case lab, role, volumes, login }

    public init(lab: ObjectName? = nil, role: ObjectName? = nil, volumes: [VolumeRecord] = [], login: Login? = nil) {
        self.lab = lab
        self.role = role
        self.volumes = volumes
        self.login = login
    }

    /// The guest's login user and, when known, the private key that matches
    /// the public key put in its seed (a path on the host, never the key itself).
    public struct Login: Sendable, Hashable, Codable {
        public var user: String
        public var privateKeyPath: String?

        public init(user: String, privateKeyPath: String? = nil) {
            self.user = user
            self.privateKeyPath = privateKeyPath
        }
    }

    /// A volume vmctl recorded for the VM.
    public struct VolumeRecord: Sendable, Hashable, Codable {
        /// Where the volume is.
        public enum Location: Sendable, Hashable, Codable {
            /// A volume in a storage pool.
            case pool(pool: ObjectName, volume: ObjectName)
            /// A file or device by path.
            case path(String)
        }
        public var location: Location
        /// Whether vmctl created the volume.
        public var createdByVMCtl: Bool

        public init(_ location: Location, createdByVMCtl: Bool) {
            self.location = location
            self.createdByVMCtl = createdByVMCtl
        }
    }

    public init(xml: String) throws {
        let root = try XMLReader.parse(xml)
        guard let prefix = VMMetadata.prefix(of: root) else {
            throw ModelError(
                field: "metadata", value: root.name, rule: "root must be <PREFIX:vm xmlns:PREFIX=\"\(VMMetadata.namespaceURI)\">")
        }
        try self.init(element: root, prefix: prefix)
    }

    /// Reads what `virDomainGetMetadata` returns: a bare `<vm>` whose
    /// namespace libvirt has dropped, since it is implied by the lookup.
    public init(getMetadataFragment xml: String) throws {
        let root = try XMLReader.parse(xml)
        if let prefix = VMMetadata.prefix(of: root) {
            try self.init(element: root, prefix: prefix)
            return
        }
        guard root.name == "vm" else {
            throw ModelError(field: "metadata", value: root.name, rule: "root must be <vm>")
        }
        try self.init(element: root, prefix: "")
        // Written back as a fresh element: the fragment carries no namespace to keep.
        original = PreservedXML()
    }

    init(element: XMLTree.Element, prefix: String) throws {
        let p = prefix.isEmpty ? "" : prefix + ":"
        original = PreservedXML(element)
        lab = try element.childText(p + "lab").map { try ObjectName($0, field: "metadata.lab") }
        role = try element.childText(p + "role").map { try ObjectName($0, field: "metadata.role") }
        volumes = []
        for (i, v) in (element.child(p + "volumes")?.children(p + "volume") ?? []).enumerated() {
            let field = "metadata.volumes[\(i)]"
            let created: Bool
            switch v.attribute("created") {
            case "yes": created = true
            case "no", nil: created = false
            case let other?: throw ModelError(field: field + ".created", value: other, rule: "must be 'yes' or 'no'")
            }
            if let path = v.attribute("path") {
                volumes.append(VolumeRecord(.path(path), createdByVMCtl: created))
            } else {
                let pool = try ObjectName(try v.required("pool", field: field), field: field + ".pool")
                let name = try ObjectName(try v.required("name", field: field), field: field + ".name")
                volumes.append(VolumeRecord(.pool(pool: pool, volume: name), createdByVMCtl: created))
            }
        }
        login = element.child(p + "login").flatMap { e in
            e.attribute("user").map { Login(user: $0, privateKeyPath: e.attribute("key")) }
        }
    }

    /// The namespace prefix of `element` if it is a vmctl `vm` element.
    static func prefix(of element: XMLTree.Element) -> String? {
        let parts = element.name.split(separator: ":", maxSplits: 1)
        if parts.count == 2, parts[1] == "vm", element.attribute("xmlns:" + parts[0]) == namespaceURI {
            return String(parts[0])
        }
        if element.name == "vm", element.attribute("xmlns") == namespaceURI { return "" }
        return nil
    }

    public func validate() throws {
        for (i, volume) in volumes.enumerated() {
            if case .path(let path) = volume.location {
                try TextRule.checkNonEmpty(path, field: "metadata.volumes[\(i)].path")
            }
        }
        if let login {
            try TextRule.checkNonEmpty(login.user, field: "metadata.login.user")
            if let key = login.privateKeyPath { try TextRule.checkPath(key, field: "metadata.login.key") }
        }
    }

    public func xml() throws -> String {
        try validate()
        return element().serialized()
    }

    /// The fragment `virDomainSetMetadata` takes: `<vm>` with unprefixed
    /// children and no namespace declaration, since libvirt binds the
    /// namespace to the key itself (and fails when the fragment already does).
    public func setMetadataFragment() throws -> String {
        try validate()
        var fresh = self
        fresh.original = PreservedXML()
        return fresh.element(unprefixed: true).serialized()
    }

    /// The `<vmctl:vm>` element, edited in place when read from XML.
    func element(unprefixed: Bool = false) -> XMLTree.Element {
        var e = original.base(unprefixed ? "vm" : VMMetadata.prefix + ":vm", style: .libxml2)
        let prefix = unprefixed ? "" : VMMetadata.prefix(of: e) ?? VMMetadata.prefix
        let p = prefix.isEmpty ? "" : prefix + ":"
        if original.element == nil && !unprefixed { e.setAttribute("xmlns:" + prefix, VMMetadata.namespaceURI) }
        let order = [p + "lab", p + "role", p + "volumes", p + "login"]
        e.setTextChild(p + "lab", lab?.rawValue, order: order)
        e.setTextChild(p + "role", role?.rawValue, order: order)
        if volumes.isEmpty {
            e.setChild(p + "volumes", nil, order: order)
        } else {
            e.updateChild(p + "volumes", order: order) { list in
                let items = volumes.map { volume -> XMLTree.Element in
                    let created = volume.createdByVMCtl ? "yes" : "no"
                    switch volume.location {
                    case .pool(let pool, let name):
                        return list.makeChild(p + "volume", [("pool", pool.rawValue), ("name", name.rawValue), ("created", created)])
                    case .path(let path):
                        return list.makeChild(p + "volume", [("path", path), ("created", created)])
                    }
                }
                list.replaceChildren(named: p + "volume", with: items, order: [])
            }
        }
        if let login {
            e.setChild(p + "login", e.makeChild(p + "login", [("user", login.user), ("key", login.privateKeyPath)]), order: order)
        } else {
            e.setChild(p + "login", nil, order: order)
        }
        return e
    }
}
