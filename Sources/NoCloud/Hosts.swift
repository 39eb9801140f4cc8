import FoundationEssentials
import YAML
#if canImport(Glibc)
import Glibc
#endif

/// One line of the guest's /etc/hosts: an address and the names it has.
public struct HostsEntry: Equatable, Sendable {
    public var address: String
    public var names: [String]

    public init(address: String, names: [String]) {
        self.address = address
        self.names = names
    }
}

/// A swap file cloud-init makes on first boot (its `swap` setting).
public struct SwapFile: Equatable, Sendable {
    public var path: String
    public var bytes: UInt64

    public init(path: String = "/swap.img", bytes: UInt64) {
        self.path = path
        self.bytes = bytes
    }
}

extension SeedConfig {
    /// The loopback lines every /etc/hosts vmctl writes starts with. There is
    /// no `127.0.1.1 HOSTNAME` line, which Debian's and Ubuntu's templates add
    /// and which breaks RabbitMQ (kolla removes it too, LP#1837699).
    static let loopbackHosts = [
        HostsEntry(address: "127.0.0.1", names: ["localhost"]),
        HostsEntry(address: "::1", names: ["localhost", "ip6-localhost", "ip6-loopback"]),
        HostsEntry(address: "ff02::1", names: ["ip6-allnodes"]),
        HostsEntry(address: "ff02::2", names: ["ip6-allrouters"]),
    ]

    /// The text of /etc/hosts for ``etcHosts``.
    public func etcHostsText() -> String {
        (Self.loopbackHosts + etcHosts).map { "\($0.address) \($0.names.joined(separator: " "))\n" }.joined()
    }

    /// `manage_etc_hosts: false` with /etc/hosts in `write_files`, and `swap`.
    func hostsAndSwapUserData() -> [(String, Node)] {
        typealias T = YAMLTree
        var pairs = [(String, Node)]()
        if !etcHosts.isEmpty {
            pairs.append(("manage_etc_hosts", T.bool(false)))
            pairs.append(("write_files", Node([T.mapping([
                ("path", T.string("/etc/hosts")), ("permissions", T.string("0644")), ("content", T.string(etcHostsText())),
            ])])))
        }
        if let swapFile {
            pairs.append(("swap", T.mapping([
                ("filename", T.string(swapFile.path)), ("size", T.int(Int(swapFile.bytes))),
                ("maxsize", T.int(Int(swapFile.bytes))),
            ])))
        }
        return pairs
    }

    /// The rules for ``etcHosts`` and ``swapFile``, as `field: rule` errors.
    func hostsAndSwapErrors() -> [NoCloudError] {
        var errors = [NoCloudError]()
        for (i, entry) in etcHosts.enumerated() {
            if !(Check.isIPv4(entry.address) || Check.isIPv6(entry.address)) {
                errors.append(NoCloudError(field: "etcHosts[\(i)].address", rule: "must be an IPv4 or IPv6 address"))
            }
            if entry.names.isEmpty || !entry.names.allSatisfy(Check.isHostName) {
                errors.append(NoCloudError(field: "etcHosts[\(i)].names", rule: "must be one or more RFC 1123 host names"))
            }
        }
        if let swapFile {
            if !swapFile.path.hasPrefix("/") || swapFile.path.contains(where: { $0.isWhitespace }) {
                errors.append(NoCloudError(field: "swapFile.path", rule: "must be an absolute path without spaces"))
            }
            if swapFile.bytes < 1 << 20 {
                errors.append(NoCloudError(field: "swapFile.bytes", rule: "must be at least 1 MiB"))
            }
        }
        return errors
    }
}
