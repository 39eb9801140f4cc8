import FoundationEssentials
import YAML
#if canImport(Glibc)
import Glibc
#endif

extension SeedConfig {
    /// The `user-data` document: ``userDataFile`` verbatim, or `#cloud-config`
    /// and the YAML of every setting, with ``extraUserData`` merged in.
    public func userData() throws -> String {
        try validate()
        if let userDataFile { return userDataFile }
        var root = YAMLTree.mapping(generatedUserData())
        if let extraUserData {
            root = YAMLTree.merge(root, try Self.extraMapping(extraUserData))
        }
        return "#cloud-config\n" + YAMLTree.emit(root)
    }

    /// The generated user-data settings, in the order Docs/nocloud.md lists them.
    func generatedUserData() -> [(String, Node)] {
        typealias T = YAMLTree
        var pairs = [(String, Node)]()
        pairs.append(("hostname", T.string(hostname)))
        if let fqdn { pairs.append(("fqdn", T.string(fqdn))) }
        if !users.isEmpty {
            var list = [T.string("default")]
            for user in users {
                var u: [(String, Node)] = [("name", T.string(user.name))]
                if !user.sshAuthorizedKeys.isEmpty { u.append(("ssh_authorized_keys", T.strings(user.sshAuthorizedKeys))) }
                switch user.password {
                case .plain(let p)?: u += [("plain_text_passwd", T.string(p)), ("lock_passwd", T.bool(false))]
                case .hashed(let h)?: u += [("hashed_passwd", T.string(h)), ("lock_passwd", T.bool(false))]
                case nil: break
                }
                if let sudo = user.sudo { u.append(("sudo", T.string(sudo))) }
                if !user.groups.isEmpty { u.append(("groups", T.strings(user.groups))) }
                if let shell = user.shell { u.append(("shell", T.string(shell))) }
                list.append(T.mapping(u))
            }
            pairs.append(("users", Node(list)))
        }
        if !sshAuthorizedKeys.isEmpty { pairs.append(("ssh_authorized_keys", T.strings(sshAuthorizedKeys))) }
        pairs += hostKeyUserData()
        if let password {
            switch password {
            case .plain(let p), .hashed(let p): pairs.append(("password", T.string(p)))
            }
            pairs.append(("chpasswd", T.mapping([("expire", T.bool(false))])))
            pairs.append(("ssh_pwauth", T.bool(true)))
        }
        if !ntpServers.isEmpty {
            pairs.append(("ntp", T.mapping([
                ("enabled", T.bool(true)), ("ntp_client", T.string("chrony")), ("servers", T.strings(ntpServers)),
            ])))
        }
        pairs += hostsAndSwapUserData()
        if let timezone { pairs.append(("timezone", T.string(timezone))) }
        if !packages.isEmpty { pairs.append(("packages", T.strings(packages))) }
        if !bootcmd.isEmpty { pairs.append(("bootcmd", Self.commandList(bootcmd))) }
        let commands = (selinux.map(Self.selinuxCommands) ?? []) + hostKeyCommands() + runcmd
        if !commands.isEmpty { pairs.append(("runcmd", Self.commandList(commands))) }
        return pairs
    }

    static func commandList(_ commands: [Command]) -> Node {
        Node(commands.map { command -> Node in
            switch command {
            case .shell(let line): return YAMLTree.string(line)
            case .argv(let argv): return YAMLTree.strings(argv)
            }
        })
    }

    /// `runcmd` entries that set SELinux `mode`: persistently in
    /// /etc/selinux/config (when the file exists) and at once with setenforce
    /// (when SELinux is on). cloud-init has no SELinux module; see Docs/nocloud.md.
    static func selinuxCommands(_ mode: SELinuxMode) -> [Command] {
        let enforce = mode == .enforcing ? "1" : "0"
        return [
            .argv(["sh", "-c", "if [ -f /etc/selinux/config ]; then sed -i -e 's/^SELINUX=.*/SELINUX=\(mode.rawValue)/' /etc/selinux/config; fi"]),
            .argv(["sh", "-c", "if command -v selinuxenabled >/dev/null 2>&1 && selinuxenabled; then setenforce \(enforce); fi"]),
        ]
    }

    /// The `meta-data` document: `instance-id` and `local-hostname`.
    public func metaData() throws -> String {
        try validate()
        return YAMLTree.emit(YAMLTree.mapping([
            ("instance-id", YAMLTree.string(instanceID)), ("local-hostname", YAMLTree.string(hostname)),
        ]))
    }

    /// The `network-config` document for ``allInterfaces``, or nil without any.
    ///
    /// Version 1: each NIC a `physical` entry matched by `mac_address` and
    /// named `name`, with one subnet: `dhcp`, `static`, or `manual` with
    /// `control: auto`. Version 2 has no way to say "bring this NIC up with
    /// no address": cloud-init's ENI renderer (Debian's) then writes no
    /// `auto` line and the NIC stays down, which kolla's
    /// neutron_external_interface must not be.
    public func networkConfig() throws -> String? {
        try validate()
        let interfaces = allInterfaces
        guard !interfaces.isEmpty else { return nil }
        typealias T = YAMLTree
        let entries = interfaces.map { interface -> Node in
            let subnet: [(String, Node)]
            switch interface.ipv4 {
            case .dhcp:
                subnet = [("type", T.string("dhcp"))]
            case .unconfigured:
                subnet = [("type", T.string("manual")), ("control", T.string("auto"))]
            case .fixed(let address, let prefix, let gateway, let nameservers, let searchDomains):
                var pairs: [(String, Node)] = [("type", T.string("static")), ("address", T.string("\(address)/\(prefix)"))]
                if let gateway { pairs.append(("gateway", T.string(gateway))) }
                if !nameservers.isEmpty { pairs.append(("dns_nameservers", T.strings(nameservers))) }
                if !searchDomains.isEmpty { pairs.append(("dns_search", T.strings(searchDomains))) }
                subnet = pairs
            }
            var entry: [(String, Node)] = [
                ("type", T.string("physical")),
                ("name", T.string(interface.name)),
                ("mac_address", T.string(interface.mac.lowercased())),
            ]
            if let mtu = interface.mtu { entry.append(("mtu", T.int(mtu))) }
            entry.append(("subnets", Node([T.mapping(subnet)])))
            return T.mapping(entry)
        }
        return T.emit(T.mapping([("version", T.int(1)), ("config", Node(entries))]))
    }

    /// The seed's files: `user-data`, `meta-data` and, with a static address, `network-config`.
    public func seedFiles() throws -> [ISO9660Writer.File] {
        var files = [
            ISO9660Writer.File(name: "user-data", contents: Data(try userData().utf8)),
            ISO9660Writer.File(name: "meta-data", contents: Data(try metaData().utf8)),
        ]
        if let network = try networkConfig() {
            files.append(ISO9660Writer.File(name: "network-config", contents: Data(network.utf8)))
        }
        return files
    }

    /// The seed as an ISO9660 image labelled `cidata`; `date` goes into every date field.
    public func isoImage(date: Date = Date()) throws -> Data {
        try ISO9660Writer(volumeLabel: "cidata", files: seedFiles(), date: date).image()
    }

    /// Writes ``isoImage(date:)`` to `path`, atomically.
    public func writeISO(to path: String, date: Date = Date()) throws {
        try isoImage(date: date).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// Builds YAML nodes; the one place that decides how a value is quoted.
enum YAMLTree {
    /// A string scalar. Plain only when it cannot read back as anything but
    /// this string (letters, digits, `_ . / @ + = -`, starting with a letter,
    /// `_` or `/`, and none of YAML 1.1's booleans or nulls); otherwise quoted.
    static func string(_ s: String) -> Node {
        Node(s, style: isSafePlain(s) ? .plain : .singleQuoted)
    }

    static func strings(_ list: [String]) -> Node { Node(list.map(string)) }
    static func bool(_ b: Bool) -> Node { Node(b ? "true" : "false") }
    static func int(_ i: Int) -> Node { Node(String(i)) }
    static func mapping(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (Node($0.0), $0.1) })
    }

    static let yaml11Words: Set<String> = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null",
    ]

    static func isSafePlain(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first,
              (first.properties.isAlphabetic && first.isASCII) || first == "_" || first == "/" else { return false }
        guard !yaml11Words.contains(s.lowercased()) else { return false }
        return s.unicodeScalars.allSatisfy { c in
            c.isASCII && (c.properties.isAlphabetic || ("0" ... "9").contains(c) || "_./@+=-".unicodeScalars.contains(c))
        }
    }

    /// `base` with `extra` merged in: sequences concatenate (base first),
    /// mappings merge recursively, anything else is replaced by `extra`'s value.
    static func merge(_ base: Node, _ extra: Node) -> Node {
        switch (base, extra) {
        case (.mapping(let b), .mapping(let e)):
            var pairs = [(Node, Node)]()
            var used = Set<Int>()
            for (key, value) in b {
                if let index = e.firstIndex(where: { $0.key.string == key.string && $0.key.scalar != nil }) {
                    let position = e.distance(from: e.startIndex, to: index)
                    used.insert(position)
                    pairs.append((key, merge(value, e[index].value)))
                } else {
                    pairs.append((key, value))
                }
            }
            for (position, pair) in e.enumerated() where !used.contains(position) {
                pairs.append((pair.key, pair.value))
            }
            return Node(pairs)
        case (.sequence(let b), .sequence(let e)):
            return Node(Array(b) + Array(e))
        default:
            return extra
        }
    }

    /// Block-style YAML, unlimited width, Unicode kept as is.
    static func emit(_ node: Node) -> String {
        YAML.serialize(node)
    }
}
