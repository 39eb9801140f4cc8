import FoundationEssentials
import YAML
#if canImport(Glibc)
import Glibc
#endif

/// A NoCloud seed read back from its `cidata` image, so that a clone can get
/// a seed of its own: the same user-data and keys, but its own host name,
/// instance-id and MAC addresses. cloud-init runs its once-per-instance
/// modules again when the instance-id changes, which gives the clone a new
/// host name and new SSH host keys.
public struct SeedImage: Equatable, Sendable {
    public var userData: String
    public var metaData: String
    public var networkConfig: String?
    public var vendorData: String?

    public init(userData: String, metaData: String, networkConfig: String? = nil, vendorData: String? = nil) {
        self.userData = userData
        self.metaData = metaData
        self.networkConfig = networkConfig
        self.vendorData = vendorData
    }

    /// Reads the seed files of an ISO9660 image labelled `cidata`.
    public init(iso: Data) throws {
        let reader: ISO9660Reader
        do {
            reader = try ISO9660Reader(data: iso)
        } catch {
            throw NoCloudError(field: "seed", rule: "is not an ISO9660 image (\(error))")
        }
        guard reader.volumeLabel.lowercased() == "cidata" || reader.jolietVolumeLabel?.lowercased() == "cidata" else {
            throw NoCloudError(field: "seed", rule: "is labelled '\(reader.volumeLabel)', not cidata")
        }
        func text(_ name: String) -> String? { reader.contents(of: name).flatMap { String(data: $0, encoding: .utf8) } }
        guard let userData = text("user-data"), let metaData = text("meta-data") else {
            throw NoCloudError(field: "seed", rule: "must hold user-data and meta-data")
        }
        self.init(userData: userData, metaData: metaData, networkConfig: text("network-config"),
                  vendorData: text("vendor-data"))
    }

    /// The seed for a copy of this guest: `hostname` and `instanceID` in
    /// meta-data (and user-data's `hostname`, and `fqdn`'s first label, when
    /// it sets them), each MAC in network-config replaced by `macs[old]`, and
    /// `bootcmd` added: in user-data when it is a `#cloud-config`, else in
    /// vendor-data, so that a user's script is passed through unchanged.
    public func reidentified(hostname: String, instanceID: String, macs: [String: String],
                             bootcmd: [SeedConfig.Command] = []) throws -> SeedImage {
        var probe = SeedConfig(hostname: hostname, instanceID: instanceID)
        probe.bootcmd = bootcmd
        if let first = probe.validationErrors().first { throw first }

        var meta = try Self.mapping(metaData, file: "meta-data")
        meta = Self.setting(meta, "instance-id", YAMLTree.string(instanceID))
        meta = Self.setting(meta, "local-hostname", YAMLTree.string(hostname))
        var result = self
        result.metaData = YAMLTree.emit(meta)

        let commands = SeedConfig.commandList(bootcmd)
        if userData.hasPrefix("#cloud-config") {
            var user = try Self.mapping(userData, file: "user-data")
            if user.mapping?["hostname"] != nil { user = Self.setting(user, "hostname", YAMLTree.string(hostname)) }
            if let fqdn = user.mapping?["fqdn"]?.string, let dot = fqdn.firstIndex(of: ".") {
                user = Self.setting(user, "fqdn", YAMLTree.string(hostname + fqdn[dot...]))
            }
            if !bootcmd.isEmpty { user = YAMLTree.merge(user, YAMLTree.mapping([("bootcmd", commands)])) }
            result.userData = "#cloud-config\n" + YAMLTree.emit(user)
        } else if !bootcmd.isEmpty {
            var vendor = try vendorData.map { try Self.mapping($0, file: "vendor-data") } ?? YAMLTree.mapping([])
            vendor = YAMLTree.merge(vendor, YAMLTree.mapping([("bootcmd", commands)]))
            result.vendorData = "#cloud-config\n" + YAMLTree.emit(vendor)
        }

        if let networkConfig {
            let lowered = Dictionary(macs.map { ($0.key.lowercased(), $0.value.lowercased()) }, uniquingKeysWith: { $1 })
            result.networkConfig = try YAMLTree.emit(Self.replacingMACs(try Self.mapping(networkConfig, file: "network-config"), lowered))
        }
        return result
    }

    /// The seed's files, in the order cloud-init documents them.
    public var files: [ISO9660Writer.File] {
        var files = [
            ISO9660Writer.File(name: "user-data", contents: Data(userData.utf8)),
            ISO9660Writer.File(name: "meta-data", contents: Data(metaData.utf8)),
        ]
        if let networkConfig { files.append(.init(name: "network-config", contents: Data(networkConfig.utf8))) }
        if let vendorData { files.append(.init(name: "vendor-data", contents: Data(vendorData.utf8))) }
        return files
    }

    /// The seed as an ISO9660 image labelled `cidata`.
    public func isoImage(date: Date = Date()) throws -> Data {
        try ISO9660Writer(volumeLabel: "cidata", files: files, date: date).image()
    }

    // MARK: YAML

    static func mapping(_ text: String, file: String) throws -> Node {
        let node: Node?
        do {
            node = try YAML.compose(text)
        } catch {
            throw NoCloudError(field: file, rule: "is not valid YAML (\(Check.firstLine("\(error)")))")
        }
        guard let node else { return YAMLTree.mapping([]) }
        guard node.mapping != nil else { throw NoCloudError(field: file, rule: "must be a YAML mapping") }
        return node
    }

    /// `node` with `key` set to `value`, in place when present, else appended.
    static func setting(_ node: Node, _ key: String, _ value: Node) -> Node {
        YAMLTree.merge(node, YAMLTree.mapping([(key, value)]))
    }

    /// Every `macaddress` (version 2) or `mac_address` (version 1) value in
    /// `node` that `macs` names, replaced.
    static func replacingMACs(_ node: Node, _ macs: [String: String]) -> Node {
        switch node {
        case .mapping(let mapping):
            return Node(mapping.map { pair -> (Node, Node) in
                if ["macaddress", "mac_address"].contains(pair.key.string ?? ""), let old = pair.value.string?.lowercased(),
                    let new = macs[old]
                {
                    return (pair.key, YAMLTree.string(new))
                }
                return (pair.key, replacingMACs(pair.value, macs))
            })
        case .sequence(let sequence):
            return Node(sequence.map { replacingMACs($0, macs) })
        default:
            return node
        }
    }
}
