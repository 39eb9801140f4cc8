import FoundationEssentials
import TextSupport
import LibvirtXML
import NoCloud
import YAML
#if canImport(Glibc)
import Glibc
#endif

/// A lab declared in YAML (Docs/labs.md): networks, pools, images, defaults,
/// nodes and the hosts they run on. Every value is checked when the plan is
/// read, and every error is reported at once with its file, line and field.
public struct LabPlan: Sendable, Equatable {
    public var name: String
    /// Host key → libvirt URI. `local` is always there (the default URI).
    public var hosts: [String: String]
    public var pools: [Pool]
    public var images: [Image]
    public var networks: [Network]
    public var nodes: [Node]
    /// Parallel starts at most.
    public var workers: Int
    /// `max_booting`: guests booting at once per host at most (LabBootGate); nil: one per core under TCG, all under KVM.
    public var maxBooting: Int? = nil
    /// Seconds to wait for every node to be ready (`ready_timeout`; `address_timeout` is its older name).
    public var addressTimeout: Double
    /// How far `lab up` waits: nil for `none`; by default until cloud-init is done.
    public var wait: ReadinessStage?
    /// Who Ansible logs in as, and with which key.
    public var login: LabLogin
    /// Where serial consoles are logged, one file per node.
    public var serialDirectory: String
    /// The plan's file, for messages that name a line.
    public var file = "plan"
    /// The line of `serial_dir`, for the messages about it.
    public var serialDirectoryLine = 1
    /// How networks used on several hosts span them (Lab/SpannedNetwork.swift); nil: each host gets its own copy.
    public var span: LabSpan? = nil

    /// Where a pool, image, network or node was written in the plan.
    public struct Source: Sendable, Equatable {
        /// Its path in the plan, such as `nodes[2]`.
        public var field: String = ""
        public var line: Int = 1
    }

    public struct Pool: Sendable, Equatable {
        public var name: String
        public var type: String
        public var target: String
        public var source = Source()
    }

    public struct Image: Sendable, Equatable {
        /// The volume name in `pool`.
        public var name: String
        public var pool: String
        /// A local file imported into the pool when the volume is missing.
        public var path: String?
        public var source = Source()
    }

    public struct Network: Sendable, Equatable {
        public var name: String
        public var mode: NetworkMode
        public var subnet: IPNetwork?
        public var dhcp: Bool
        public var dhcpRange: String?
        /// Bridge mode: the existing host bridge.
        public var bridge: String?
        public var source = Source()

        /// The DHCP range the lab's network gets: the plan's, or by default the
        /// upper half of the subnet less its last five addresses, so the lower
        /// half stays free for static addresses and the top for a VIP.
        public var effectiveDHCPRange: DHCPRange? {
            guard dhcp, let subnet else { return nil }
            if let dhcpRange {
                let ends = dhcpRange.split(separator: "-").compactMap { try? IPAddress(String($0).trimmingSpaces()) }
                return ends.count == 2 ? DHCPRange(start: ends[0], end: ends[1]) : nil
            }
            let hostBits = (subnet.network.isIPv4 ? 32 : 128) - subnet.prefixLength
            guard hostBits >= 4, hostBits <= 16, let fallback = subnet.defaultDHCPRange else { return subnet.defaultDHCPRange }
            let size = 1 << hostBits
            guard let start = subnet.network.adding(size / 2), let end = subnet.network.adding(size - 6), start <= end else {
                return fallback
            }
            return DHCPRange(start: start, end: end)
        }
    }

    public struct NodeNIC: Sendable, Equatable {
        public var network: String
        public var ip: String?
        /// The interface name inside the guest.
        public var device: String
    }

    public struct CloudInit: Sendable, Equatable {
        public var sshKeys: [String] = []
        public var ntpServers: [String] = []
        public var timezone: String?
        public var selinux: String?
        public var packages: [String] = []
        public var commands: [String] = []
        public var userData: String?
    }

    public struct Node: Sendable, Equatable {
        public var name: String
        public var roles: [String]
        public var host: String
        public var memory: GivenSize
        /// Within `VMSpec.vcpuRange`.
        public var vcpus: Int
        public var diskSize: GivenSize?
        /// A plan image's name, `POOL/VOLUME` or a path, parsed.
        public var image: ImageRef?
        public var pool: String
        public var kernel: String?
        public var initrd: String?
        public var cmdline: String?
        public var networks: [NodeNIC]
        public var cloudInit: CloudInit?
        /// Data disks (vdb, vdc, …), with the volume groups cloud-init makes on them.
        public var disks: [DataDiskSpec] = []
        /// `firmware: bios` (default) or `uefi`, as `vm create --firmware`.
        public var firmware: Firmware = .bios
        public var source = Source()
    }

    /// The libvirt name of a lab object: `LAB-NAME`.
    public func objectName(_ name: String) -> String { "\(self.name)-\(name)" }
}

/// One problem in a plan: `FILE:LINE: FIELD: RULE`.
public struct PlanIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var field: String
    public var rule: String
    public var description: String { "\(file):\(line): \(field): \(rule)" }
}

/// All of a plan's problems; its description has one line each.
public struct PlanError: Error, Sendable, CustomStringConvertible {
    public var issues: [PlanIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

extension LabPlan {
    /// Reads a plan file, with the parameters given on the command line.
    public static func load(path: String, defaultURI: String, parameters: PlanParameters.Overrides = .init()) throws(VMCtlError) -> LabPlan {
        let text = try InputFile.readText(path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path, field: .option("plan"))
        do {
            return try parse(text, file: path, defaultURI: defaultURI, parameters: parameters)
        } catch {
            throw VMCtlError(error.description, status: .usage)
        }
    }

    /// Parses and validates plan text; throws every problem at once.
    public static func parse(
        _ text: String, file: String = "plan", defaultURI: String, parameters: PlanParameters.Overrides = .init()
    ) throws(PlanError) -> LabPlan {
        var reader = PlanReader(file: file)
        let root: YAML.Node?
        do {
            root = try YAML.compose(text)
        } catch {
            throw PlanError(issues: [reader.yamlIssue(error)])
        }
        guard let root, case .mapping = root else {
            throw PlanError(issues: [PlanIssue(file: file, line: 1, field: "plan", rule: "must be a mapping with lab, networks and nodes")])
        }
        // `${NAME}` references become values before any field is read (Lab/PlanParameters.swift).
        let plan = reader.plan(try PlanParameters.substitute(in: root, overrides: parameters, file: file), defaultURI: defaultURI)
        if !reader.issues.isEmpty { throw PlanError(issues: reader.issues) }
        return plan!
    }
}

/// Walks the YAML node tree, collecting issues instead of stopping at the first.
struct PlanReader {
    let file: String
    var issues: [PlanIssue] = []

    init(file: String) { self.file = file }

    func line(_ node: YAML.Node?) -> Int { node?.mark?.line ?? 1 }

    mutating func issue(_ node: YAML.Node?, _ field: String, _ rule: String) {
        issues.append(PlanIssue(file: file, line: node?.mark?.line ?? 1, field: field, rule: rule))
    }

    /// The YAML error as the plan's one issue; its rule keeps the error's `line:column: message`.
    func yamlIssue(_ error: YAMLError) -> PlanIssue {
        PlanIssue(file: file, line: error.mark.line, field: "yaml", rule: error.description)
    }

    // MARK: Typed accessors

    func keys(_ node: YAML.Node) -> [(String, YAML.Node, YAML.Node)] {
        guard case .mapping(let mapping) = node else { return [] }
        return mapping.map { ($0.key.string ?? "", $0.key, $0.value) }
    }

    /// Reports keys outside `allowed`; false (and an issue) when `node` is not a mapping at all.
    @discardableResult
    mutating func checkKeys(_ node: YAML.Node, _ field: String, allowed: Set<String>) -> Bool {
        guard case .mapping = node else {
            issue(node, field.isEmpty ? "plan" : field, "must be a mapping of \(allowed.sorted().joined(separator: ", "))")
            return false
        }
        for (key, keyNode, _) in keys(node) where !allowed.contains(key) {
            issue(keyNode, field.isEmpty ? key : "\(field).\(key)", "unknown key; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        return true
    }

    func value(_ node: YAML.Node, _ key: String) -> YAML.Node? {
        guard case .mapping(let mapping) = node else { return nil }
        return mapping[key]
    }

    /// A single value's text and the type YAML gives it (`123` an int, `yes` a
    /// bool, `"123"` a string); nil, with an issue, for a list or a mapping.
    mutating func scalar(_ node: YAML.Node?, _ field: String) -> (text: String, tag: String)? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node else {
            issue(node, field, "must be a single value")
            return nil
        }
        return (scalar.text, scalar.resolvedTag)
    }

    /// The kind of value a YAML tag names, for messages.
    static func kind(of tag: String) -> String {
        switch tag {
        case Tags.int, Tags.float: "a number"
        case Tags.bool: "true or false"
        case Tags.null: "empty (null)"
        case Tags.timestamp: "a date"
        default: "not text"
        }
    }

    /// Text: a number, a boolean or null where text belongs is refused, not
    /// taken as its spelling (`lab: 123`, `timezone: no`); quoted, it is text.
    mutating func string(_ node: YAML.Node?, _ field: String) -> String? {
        guard let (text, tag) = scalar(node, field) else { return nil }
        guard tag == Tags.str else {
            issue(node, field, "\"\(text.prefix(40))\" is \(Self.kind(of: tag)), not text; quote it (\"\(text.prefix(40))\") if text is meant")
            return nil
        }
        return text
    }

    /// A whole number, written as one: text (`"4"`) is refused.
    mutating func int(_ node: YAML.Node?, _ field: String, range: ClosedRange<Int>) -> Int? {
        guard let (text, tag) = scalar(node, field) else { return nil }
        guard tag == Tags.int, let number = node?.int, range.contains(number) else {
            issue(node, field, "\"\(text.prefix(40))\" is not allowed: a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    mutating func bool(_ node: YAML.Node?, _ field: String) -> Bool? {
        guard let node else { return nil }
        guard let value = node.bool else {
            issue(node, field, "must be true or false")
            return nil
        }
        return value
    }

    mutating func name(_ node: YAML.Node?, _ field: String, maxLength: Int = 48) -> String? {
        guard let text = string(node, field) else { return nil }
        guard ObjectName.isValid(text), text.count <= maxLength else {
            issue(node, field, "\"\(text)\" is not allowed: \(ObjectName.rule.replacing("64", with: String(maxLength)))")
            return nil
        }
        return text
    }

    mutating func strings(_ node: YAML.Node?, _ field: String) -> [String] {
        guard let node else { return [] }
        if case .scalar = node { return string(node, field).map { [$0] } ?? [] }
        guard case .sequence(let sequence) = node else {
            issue(node, field, "must be a list")
            return []
        }
        return sequence.enumerated().compactMap { index, item in string(item, "\(field)[\(index)]") }
    }

    /// A size: text such as `20G`, or a plain number of bytes.
    mutating func size(_ node: YAML.Node?, _ field: String) -> GivenSize? {
        guard let (text, tag) = scalar(node, field) else { return nil }
        guard tag == Tags.str || tag == Tags.int else {
            issue(node, field, "\"\(text.prefix(40))\" is not allowed: \(ByteSize.rule)")
            return nil
        }
        do {
            return GivenSize(size: try ByteSize(parsing: text, field: field), text: text)
        } catch {
            issue(node, field, "\"\(text)\" is not allowed: \(ByteSize.rule)")
            return nil
        }
    }

    mutating func absolutePath(_ node: YAML.Node?, _ field: String) -> String? {
        guard let text = string(node, field) else { return nil }
        guard text.hasPrefix("/"), !text.contains("\0") else {
            issue(node, field, "\"\(text)\" is not allowed: must be an absolute path")
            return nil
        }
        return text
    }

    /// The groups Ansible makes itself: a role of that name would be taken as them.
    static let ansibleGroups: Set<String> = ["all", "ungrouped"]

    /// The most entries a plan's lists may hold: more is a generated plan gone wrong, not a lab.
    static let listLimit = 256

    mutating func list(_ node: YAML.Node?, _ field: String) -> [YAML.Node] {
        guard let node else { return [] }
        guard case .sequence(let sequence) = node else {
            issue(node, field, "must be a list")
            return []
        }
        guard sequence.count <= Self.listLimit else {
            issue(node, field, "\(sequence.count) entries is not allowed: at most \(Self.listLimit)")
            return []
        }
        return Array(sequence)
    }

    // MARK: The plan

    mutating func plan(_ root: YAML.Node, defaultURI: String) -> LabPlan? {
        // Top-level `x-` keys are the author's own, as in Compose files: a home for anchors that `<<:` merges.
        var checked = root
        if case .mapping(var mapping) = root {
            mapping.pairs.removeAll { $0.key.string?.hasPrefix("x-") == true }
            checked = .mapping(mapping)
        }
        checkKeys(checked, "", allowed: ["lab", "hosts", "pools", "images", "networks", "nodes", "defaults", "workers", "max_booting",
                                      "address_timeout", "ready_timeout", "wait", "login", "serial_dir", "span"])
        let labName = name(value(root, "lab"), "lab", maxLength: 24)
        if value(root, "lab") == nil { issue(root, "lab", "is required: the lab's name") }

        var hosts = ["local": defaultURI]
        if let node = value(root, "hosts") {
            if case .mapping = node {} else { issue(node, "hosts", "must be a mapping of host key to libvirt URI") }
            for (key, keyNode, uriNode) in keys(node) {
                guard key != LabPlacement.auto else {
                    issue(keyNode, "hosts.\(key)", "\"auto\" is not allowed as a host name: a node's host: auto asks for placement")
                    continue
                }
                guard ObjectName.isValid(key) else {
                    issue(keyNode, "hosts.\(key)", "\"\(key)\" is not allowed as a host name: \(ObjectName.rule)")
                    continue
                }
                guard let uri = string(uriNode, "hosts.\(key)"), uri.contains(":///") || uri.contains("://") else {
                    issue(uriNode, "hosts.\(key)", "must be a libvirt URI such as qemu+ssh://user@host/system")
                    continue
                }
                hosts[key] = uri
            }
        }

        var defaults = value(root, "defaults")
        if let given = defaults, !checkKeys(given, "defaults", allowed: ["memory", "vcpus", "disk_size", "disks", "image", "pool", "kernel", "initrd",
                                                      "cmdline", "cloud_init", "host", "firmware"]) {
            defaults = nil
        }

        var pools: [LabPlan.Pool] = []
        for (index, node) in list(value(root, "pools"), "pools").enumerated() {
            let field = "pools[\(index)]"
            guard checkKeys(node, field, allowed: ["name", "type", "target"]) else { continue }
            let type = string(value(node, "type"), "\(field).type") ?? "dir"
            if type != "dir" { issue(value(node, "type"), "\(field).type", "\"\(type)\" is not allowed: labs create dir pools") }
            guard let poolName = name(value(node, "name"), "\(field).name"),
                let target = absolutePath(value(node, "target"), "\(field).target")
            else {
                if value(node, "name") == nil { issue(node, "\(field).name", "is required") }
                if value(node, "target") == nil { issue(node, "\(field).target", "is required: the directory for the pool") }
                continue
            }
            if let rule = StorageService.targetRule(URL(fileURLWithPath: target).standardized.path, local: false) {
                issue(value(node, "target"), "\(field).target", "\(target) \(rule)")
            }
            pools.append(.init(name: poolName, type: type, target: target, source: .init(field: field, line: line(node))))
        }

        var images: [LabPlan.Image] = []
        for (index, node) in list(value(root, "images"), "images").enumerated() {
            let field = "images[\(index)]"
            guard checkKeys(node, field, allowed: ["name", "pool", "path"]) else { continue }
            guard let imageName = name(value(node, "name"), "\(field).name"), let pool = name(value(node, "pool"), "\(field).pool") else {
                if value(node, "name") == nil { issue(node, "\(field).name", "is required") }
                if value(node, "pool") == nil { issue(node, "\(field).pool", "is required") }
                continue
            }
            let path = absolutePath(value(node, "path"), "\(field).path")
            if let path {
                do {
                    try InputFile.requireRegular(path, field: .option("\(field).path"))
                } catch {
                    issue(value(node, "path"), "\(field).path", error.rule ?? error.message)
                }
            }
            images.append(.init(name: imageName, pool: pool, path: path, source: .init(field: field, line: line(node))))
        }

        var networks: [LabPlan.Network] = []
        for (index, node) in list(value(root, "networks"), "networks").enumerated() {
            let field = "networks[\(index)]"
            guard checkKeys(node, field, allowed: ["name", "mode", "subnet", "dhcp", "dhcp_range", "bridge"]) else { continue }
            guard let networkName = name(value(node, "name"), "\(field).name", maxLength: 24) else {
                if value(node, "name") == nil { issue(node, "\(field).name", "is required") }
                continue
            }
            let modeText = string(value(node, "mode"), "\(field).mode") ?? NetworkMode.nat.rawValue
            guard let mode = NetworkMode(rawValue: modeText) else {
                let modes = NetworkMode.allCases.map(\.rawValue).joined(separator: ", ")
                issue(value(node, "mode"), "\(field).mode", "\"\(modeText.prefix(40))\" is not allowed: \(modes)")
                continue
            }
            var subnet: IPNetwork?
            if let text = string(value(node, "subnet"), "\(field).subnet") {
                do {
                    let parsed = try IPNetwork(cidr: text, field: "\(field).subnet")
                    if !parsed.isIPv4 {
                        issue(value(node, "subnet"), "\(field).subnet", "\"\(text.prefix(40))\" is not allowed: labs use IPv4, a CIDR such as 192.168.121.0/24")
                    } else if let rule = NetworkService.subnetRule(parsed) {
                        issue(value(node, "subnet"), "\(field).subnet", "\(text) \(rule)")
                    } else {
                        subnet = parsed
                    }
                } catch {
                    issue(value(node, "subnet"), "\(field).subnet", "\"\(text.prefix(40))\" is not allowed: an IPv4 CIDR such as 192.168.121.0/24")
                }
            } else if !mode.joinsHostBridge {
                issue(node, "\(field).subnet", "is required for a \(mode.rawValue) network")
            }
            let bridge = mode.joinsHostBridge ? name(value(node, "bridge"), "\(field).bridge", maxLength: 15) : nil
            if mode.joinsHostBridge && value(node, "bridge") == nil { issue(node, "\(field).bridge", "is required for a \(mode.rawValue) network") }
            let range = string(value(node, "dhcp_range"), "\(field).dhcp_range")
            if let range, let subnet {
                let ends = range.split(separator: "-").map { String($0).trimmingSpaces() }
                if ends.count != 2 || ends.contains(where: { (try? IPAddress($0)).map { !subnet.contains($0) } ?? true }) {
                    issue(value(node, "dhcp_range"), "\(field).dhcp_range", "\"\(range)\" is not allowed: FIRST-LAST inside \(subnet)")
                }
            }
            networks.append(.init(name: networkName, mode: mode, subnet: subnet, dhcp: bool(value(node, "dhcp"), "\(field).dhcp") ?? true,
                                  dhcpRange: range, bridge: bridge, source: .init(field: field, line: line(node))))
        }
        for (kind, names) in [("pools", pools.map(\.name)), ("networks", networks.map(\.name)),
                              ("images", images.map { "\($0.pool)/\($0.name)" })] {
            var seen = Set<String>()
            for name in names where !seen.insert(name).inserted {
                issue(value(root, kind), kind, "'\(name)' is given twice")
            }
        }
        for (i, a) in networks.enumerated() {
            for b in networks[(i + 1)...] {
                if let x = a.subnet, let y = b.subnet, x.overlaps(y) {
                    issue(root, "networks", "\(a.name) (\(x)) and \(b.name) (\(y)) overlap")
                }
            }
        }

        var nodes: [LabPlan.Node] = []
        let nodeList = list(value(root, "nodes"), "nodes")
        if nodeList.isEmpty { issue(root, "nodes", "is required: at least one node") }
        for (index, node) in nodeList.enumerated() {
            nodes += labNodes(node, field: "nodes[\(index)]", defaults: defaults, hosts: hosts, networks: networks,
                              images: images, pools: pools)
        }
        if nodes.count > Self.listLimit {
            issue(root, "nodes", "\(nodes.count) nodes after count is not allowed: at most \(Self.listLimit)")
        }
        var seen = Set<String>()
        for node in nodes where !seen.insert(node.name).inserted {
            issue(root, "nodes", "node name '\(node.name)' is used twice")
        }
        var staticIPs = [String: String]()
        for node in nodes {
            for nic in node.networks {
                guard let ip = nic.ip else { continue }
                if let other = staticIPs[ip] { issue(root, "nodes", "\(node.name) and \(other) both use \(ip)") }
                staticIPs[ip] = node.name
            }
        }

        let workers = int(value(root, "workers"), "workers", range: 1...32) ?? 4
        // Both are read, so a bad older name is reported even beside the newer one.
        let readyTimeout = int(value(root, "ready_timeout"), "ready_timeout", range: 5...3600)
        let addressTimeout = int(value(root, "address_timeout"), "address_timeout", range: 5...3600)
        let timeout = readyTimeout ?? addressTimeout ?? 600
        var wait: ReadinessStage? = .cloudInit
        if let text = string(value(root, "wait"), "wait") {
            do {
                wait = try ReadinessStage.waitTarget(text, field: "wait")
            } catch {
                issue(value(root, "wait"), "wait", "\"\(text.prefix(40))\" is not allowed: none, address, ssh or cloud-init")
            }
        }
        var login = LabLogin()
        if let node = value(root, "login") {
            if case .mapping = node {
                checkKeys(node, "login", allowed: ["user", "private_key"])
                if let user = string(value(node, "user"), "login.user") {
                    if !SSHCommand.isValidUser(user) {
                        issue(value(node, "user"), "login.user", "\"\(user.prefix(40))\" is not allowed: \(SSHCommand.userRule)")
                    } else {
                        login.user = user
                    }
                }
                login.privateKey = absolutePath(value(node, "private_key"), "login.private_key")
                if let key = login.privateKey, !FileManager.default.isReadableFile(atPath: key) {
                    issue(value(node, "private_key"), "login.private_key", "'\(key)' is not a readable file")
                }
            } else {
                issue(node, "login", "must be a mapping with user and private_key")
            }
        }
        let maxBooting = int(value(root, "max_booting"), "max_booting", range: 1...256)
        let spanSettings = span(value(root, "span"), hosts: hosts)
        guard let labName else { return nil }
        let serial = absolutePath(value(root, "serial_dir"), "serial_dir") ?? "/var/lib/vmctl/labs/\(labName)"
        var plan = LabPlan(name: labName, hosts: hosts, pools: pools, images: images, networks: networks, nodes: nodes,
                       workers: workers, addressTimeout: Double(timeout), wait: wait, login: login, serialDirectory: serial, file: file,
                       serialDirectoryLine: line(value(root, "serial_dir")))
        plan.maxBooting = maxBooting
        plan.span = spanSettings
        return plan
    }

    mutating func selinuxMode(_ node: YAML.Node?, _ field: String) -> String? {
        guard let text = string(node, field) else { return nil }
        guard SeedConfig.SELinuxMode(rawValue: text) != nil else {
            issue(node, field, "\"\(text.prefix(40))\" is not allowed: enforcing, permissive or disabled")
            return nil
        }
        return text
    }

    mutating func labNodes(
        _ node: YAML.Node, field: String, defaults: YAML.Node?, hosts: [String: String], networks: [LabPlan.Network],
        images: [LabPlan.Image], pools: [LabPlan.Pool]
    ) -> [LabPlan.Node] {
        guard checkKeys(node, field, allowed: ["name", "count", "roles", "role", "host", "memory", "vcpus", "disk_size", "disks", "image",
                                         "pool", "kernel", "initrd", "cmdline", "networks", "cloud_init", "firmware"]) else { return [] }
        func setting(_ key: String) -> YAML.Node? { value(node, key) ?? defaults.flatMap { value($0, key) } }
        // A value taken from defaults is reported where it was written.
        func settingField(_ key: String) -> String { value(node, key) == nil && defaults != nil ? "defaults.\(key)" : "\(field).\(key)" }
        guard let baseName = name(value(node, "name"), "\(field).name", maxLength: 32) else {
            if value(node, "name") == nil { issue(node, "\(field).name", "is required") }
            return []
        }
        let count = int(value(node, "count"), "\(field).count", range: 1...64)
        // `role` is one role, `roles` a list of them.
        var roles = strings(value(node, "roles"), "\(field).roles") + (string(value(node, "role"), "\(field).role").map { [$0] } ?? [])
        if roles.isEmpty { roles = [baseName] }
        for (i, role) in roles.enumerated() where !ObjectName.isValid(role) || Self.ansibleGroups.contains(role) {
            let rule = ObjectName.isValid(role) ? "a group Ansible makes itself" : ObjectName.rule
            issue(value(node, "roles") ?? value(node, "role"), "\(field).roles[\(i)]", "\"\(role)\" is not allowed: \(rule)")
        }
        let host = string(setting("host"), settingField("host")) ?? "local"
        // `auto`: placed by capacity when the lab runs (Lab/LabPlacement.swift).
        if hosts[host] == nil && host != LabPlacement.auto {
            issue(setting("host"), settingField("host"), "'\(host)' is not in hosts (\(hosts.keys.sorted().joined(separator: ", ")))")
        }
        let memory = size(setting("memory"), settingField("memory")) ?? GivenSize(size: .gib(1), text: "1G")
        let vcpus = int(setting("vcpus"), settingField("vcpus"), range: VMSpec.vcpuRange) ?? 1
        let diskSize = size(setting("disk_size"), settingField("disk_size"))
        var image: ImageRef?
        if let text = string(setting("image"), settingField("image")) {
            do {
                image = try ImageRef(parsing: text, field: .option(settingField("image")))
            } catch {
                issue(setting("image"), settingField("image"), error.rule ?? error.message)
            }
        }
        let pool = name(setting("pool"), settingField("pool")) ?? pools.first?.name ?? "default"
        let kernel = absolutePath(setting("kernel"), settingField("kernel"))
        let initrd = absolutePath(setting("initrd"), settingField("initrd"))
        let cmdline = string(setting("cmdline"), settingField("cmdline"))
        var firmware = Firmware.bios
        if let text = string(setting("firmware"), settingField("firmware")) {
            if let chosen = try? Firmware(option: text) {
                firmware = chosen
            } else {
                issue(setting("firmware"), settingField("firmware"), "\"\(text.prefix(40))\" is not allowed: \(Firmware.optionRule)")
            }
        }
        if setting("image") == nil && diskSize == nil && kernel == nil {
            issue(node, "\(field).image", "a node needs an image, a disk_size or a kernel")
        }

        let nics = nodeNICs(node, field: field, count: count, networks: networks)
        let disksField = value(node, "disks") != nil ? "\(field).disks" : "defaults.disks"
        let disks = nodeDisks(setting("disks"), field: disksField)
        let cloudInit = nodeCloudInit(value(node, "cloud_init") ?? defaults.flatMap { value($0, "cloud_init") }, field: "\(field).cloud_init")

        let names = count.map { n in (1...n).map { "\(baseName)\($0)" } } ?? [baseName]
        return names.map {
            LabPlan.Node(name: $0, roles: roles, host: host, memory: memory, vcpus: vcpus, diskSize: diskSize, image: image,
                         pool: pool, kernel: kernel, initrd: initrd, cmdline: cmdline, networks: nics, cloudInit: cloudInit,
                         disks: disks, firmware: firmware, source: .init(field: field, line: line(node)))
        }
    }

    /// A node's NICs: each on one of the plan's networks, with a free device name and a fitting static address.
    mutating func nodeNICs(_ node: YAML.Node, field: String, count: Int?, networks: [LabPlan.Network]) -> [LabPlan.NodeNIC] {
        var nics: [LabPlan.NodeNIC] = []
        for (i, nicNode) in list(value(node, "networks"), "\(field).networks").enumerated() {
            let nicField = "\(field).networks[\(i)]"
            var networkName: String?
            var ip: String?
            var device = "eth\(i)"
            if case .scalar = nicNode {
                networkName = name(nicNode, nicField)
            } else {
                guard checkKeys(nicNode, nicField, allowed: ["name", "ip", "device"]) else { continue }
                networkName = name(value(nicNode, "name"), "\(nicField).name")
                ip = string(value(nicNode, "ip"), "\(nicField).ip")
                device = string(value(nicNode, "device"), "\(nicField).device") ?? device
                if !NetworkSpec.isValidDevice(device) {
                    issue(value(nicNode, "device"), "\(nicField).device", "\"\(device.prefix(40))\" is not allowed: \(NetworkSpec.deviceRule)")
                }
            }
            guard let networkName else { continue }
            guard let network = networks.first(where: { $0.name == networkName }) else {
                issue(nicNode, nicField, "'\(networkName)' is not one of the plan's networks")
                continue
            }
            if let ip {
                if network.subnet == nil, (try? IPAddress(ip))?.isIPv4 != true {
                    issue(value(nicNode, "ip"), "\(nicField).ip", "\"\(ip.prefix(40))\" is not allowed: an IPv4 address")
                } else if count != nil {
                    issue(value(nicNode, "ip"), "\(nicField).ip", "a node with count cannot have one static ip")
                } else if let subnet = network.subnet,
                    (try? IPAddress(ip)).map({ !subnet.contains($0) || $0 == subnet.gateway || $0 == subnet.network || $0 == subnet.lastAddress }) ?? true
                {
                    issue(value(nicNode, "ip"), "\(nicField).ip", "\"\(ip.prefix(40))\" is not allowed: an address in \(subnet) other than the gateway, the network and the broadcast address")
                }
            }
            if nics.contains(where: { $0.device == device }) {
                issue(nicNode, "\(nicField).device", "\"\(device)\" is used by another NIC of this node")
            }
            nics.append(.init(network: networkName, ip: ip, device: device))
        }
        return nics
    }

    /// A node's data disks (its own or the defaults'): each of at least 1 MiB, volume groups given once.
    mutating func nodeDisks(_ disksNode: YAML.Node?, field disksField: String) -> [DataDiskSpec] {
        var disks: [DataDiskSpec] = []
        for (i, diskNode) in list(disksNode, disksField).enumerated() {
            let diskField = "\(disksField)[\(i)]"
            var sizeNode: YAML.Node? = diskNode
            var group: String?
            var sizeField = diskField
            if case .mapping = diskNode {
                sizeField += ".size"
                checkKeys(diskNode, diskField, allowed: ["size", "vg"])
                sizeNode = value(diskNode, "size")
                if sizeNode == nil { issue(diskNode, "\(diskField).size", "is required, such as 20G") }
                group = string(value(diskNode, "vg"), "\(diskField).vg")
                if let name = group, !DataDiskSpec.isValidVolumeGroup(name) {
                    issue(value(diskNode, "vg"), "\(diskField).vg", "\"\(name.prefix(40))\" is not allowed: \(DataDiskSpec.volumeGroupRule)")
                    group = nil
                }
            }
            guard let given = size(sizeNode, sizeField) else { continue }
            if given.size < VMSpec.minimumDiskSize {
                issue(sizeNode, diskField, "\"\(given)\" is not allowed: at least 1 MiB")
                continue
            }
            if let group, disks.contains(where: { $0.volumeGroup == group }) {
                issue(diskNode, "\(diskField).vg", "\"\(group)\" is given to two disks")
            }
            disks.append(DataDiskSpec(size: given.size, volumeGroup: group))
        }
        return disks
    }

    /// A node's `cloud_init` (its own or the defaults').
    mutating func nodeCloudInit(_ ciNode: YAML.Node?, field ciField: String) -> LabPlan.CloudInit? {
        guard let ciNode,
            checkKeys(ciNode, ciField, allowed: ["ssh_keys", "ntp_servers", "timezone", "selinux", "packages", "commands", "user_data"])
        else { return nil }
        return LabPlan.CloudInit(
            sshKeys: strings(value(ciNode, "ssh_keys"), "\(ciField).ssh_keys"),
            ntpServers: strings(value(ciNode, "ntp_servers"), "\(ciField).ntp_servers"),
            timezone: string(value(ciNode, "timezone"), "\(ciField).timezone"),
            selinux: selinuxMode(value(ciNode, "selinux"), "\(ciField).selinux"),
            packages: strings(value(ciNode, "packages"), "\(ciField).packages"),
            commands: strings(value(ciNode, "commands"), "\(ciField).commands"),
            userData: string(value(ciNode, "user_data"), "\(ciField).user_data"))
    }
}
