import FoundationEssentials
import HostCheck
import TextSupport
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// A kernel network link's name (`ip link`): 1–15 letters, digits, `_`, `.`
/// or `-`, not starting with `.` or `-`. Every name a kernel command carries
/// passes this allow-list, so no command is ever built from free text.
public struct KernelLinkName: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public static let rule = "1-15 letters, digits, _, . or -, not starting with . or -"

    public init(_ name: String, field: String = "device") throws(VMCtlError) {
        guard Self.isValid(name) else { throw .invalid(field: field, "\"\(name.prefix(40))\" is not allowed: \(Self.rule)") }
        rawValue = name
    }

    public static func isValid(_ name: String) -> Bool {
        name.wholeMatch(of: /[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}/) != nil
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard Self.isValid(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad link name \(text)"))
        }
        rawValue = text
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

/// One change to, or question for, a host's kernel networking, as a typed
/// value: the argument vector of `ip` or `bridge` (iproute2) is made from it
/// here and nowhere else. libvirt cannot make a VXLAN port, so spanned lab
/// networks need this second channel to each host (Docs/multi-host.md).
public enum KernelCommand: Sendable, Equatable, Codable {
    /// `ip -d -j link show`: every link with its kind, master and VXLAN settings.
    case listLinks
    /// `ip -4 -j addr show`: every link's IPv4 addresses.
    case listAddresses
    /// `bridge -j fdb show dev LINK`: a VXLAN port's forwarding entries.
    case listForwarding(KernelLinkName)
    /// `ip link add LINK type bridge`.
    case addBridge(KernelLinkName)
    /// `ip link add LINK type vxlan id VNI local ADDRESS dev DEVICE dstport PORT`:
    /// unicast VXLAN bound to the underlay device, no multicast group.
    case addVXLAN(KernelLinkName, vni: Int, port: Int, local: IPAddress, device: KernelLinkName)
    /// `bridge fdb append 00:00:00:00:00:00 dev LINK dst REMOTE`: flood
    /// broadcast, unknown and multicast frames to that host too (head-end replication).
    case floodTo(KernelLinkName, remote: IPAddress)
    /// `ip link set LINK master BRIDGE`.
    case attach(KernelLinkName, bridge: KernelLinkName)
    /// `ip link set LINK up`.
    case setUp(KernelLinkName)
    /// `ip link del LINK`.
    case delete(KernelLinkName)

    enum Program: String { case ip, bridge }

    var program: Program {
        switch self {
        case .listForwarding, .floodTo: .bridge
        default: .ip
        }
    }

    /// The program's arguments: names passed the allow-list, numbers are
    /// numbers and addresses were parsed, so each is one plain word.
    var arguments: [String] {
        switch self {
        case .listLinks: ["-d", "-j", "link", "show"]
        case .listAddresses: ["-4", "-j", "addr", "show"]
        case .listForwarding(let link): ["-j", "fdb", "show", "dev", link.rawValue]
        case .addBridge(let link): ["link", "add", link.rawValue, "type", "bridge"]
        case .addVXLAN(let link, let vni, let port, let local, let device):
            ["link", "add", link.rawValue, "type", "vxlan", "id", String(vni), "local", local.description, "dev", device.rawValue,
             "dstport", String(port)]
        case .floodTo(let link, let remote): ["fdb", "append", "00:00:00:00:00:00", "dev", link.rawValue, "dst", remote.description]
        case .attach(let link, let bridge): ["link", "set", link.rawValue, "master", bridge.rawValue]
        case .setUp(let link): ["link", "set", link.rawValue, "up"]
        case .delete(let link): ["link", "del", link.rawValue]
        }
    }

    /// As a person would type it: `ip link add … type vxlan id 123 …`.
    public var description: String { ([program.rawValue] + arguments).joined(separator: " ") }
}

/// How vmctl reaches a lab host's kernel (libvirt's connection reaches only
/// its daemon): this machine's by running a process, the stand-in second
/// host (Scripts/second-libvirtd.sh) inside its network namespace, a
/// `qemu+ssh://` host over the same SSH.
public enum HostChannel: Sendable, Equatable, Codable {
    /// This machine: `ip` runs as a child process.
    case process
    /// A stand-in host of Scripts/second-libvirtd.sh: `nsenter --net` into the
    /// network namespace its holder process keeps.
    case standIn(name: String)
    /// `ssh [-p PORT] [-i KEY] USER@HOST -- ip …`, from the host's qemu+ssh URI,
    /// with strict host-key checking (against `knownHosts` alone when the URI names it).
    case ssh(user: String?, host: String, port: Int?, keyFile: String?, knownHosts: String?)

    /// The rule for a stand-in's name (Scripts/second-libvirtd.sh's NAME).
    public static let standInRule = "1-32 letters, digits, _ or -"

    public static func isValidStandIn(_ name: String) -> Bool { name.wholeMatch(of: /[A-Za-z0-9_-]{1,32}/) != nil }

    /// The channel a host's URI implies when the plan names none: SSH for
    /// `+ssh` transports, otherwise this machine's kernel (a daemon reached by
    /// a local socket runs here). nil when the URI names a remote host some other way.
    public static func implied(byURI uri: String?) -> HostChannel? {
        guard let uri, !uri.isEmpty else { return .process }
        guard let components = URLComponents(string: uri), let scheme = components.scheme else { return nil }
        if scheme.hasSuffix("+ssh") {
            guard let host = components.host, !host.isEmpty else { return nil }
            let query = components.queryItems ?? []
            return .ssh(user: components.user, host: host, port: components.port,
                        keyFile: query.first { $0.name == "keyfile" }?.value, knownHosts: query.first { $0.name == "known_hosts" }?.value)
        }
        if scheme.hasSuffix("+unix") || !scheme.contains("+") {
            return (components.host ?? "").isEmpty ? .process : nil
        }
        return nil
    }

    /// `process`, `stand-in host2`, `ssh root@host2:22`.
    public var description: String {
        switch self {
        case .process: "process"
        case .standIn(let name): "stand-in \(name) (nsenter --net)"
        case .ssh(let user, let host, let port, _, _): "ssh \(user.map { "\($0)@" } ?? "")\(host)\(port.map { ":\($0)" } ?? "")"
        }
    }

    /// Seconds one kernel command may take (an SSH connection included).
    static let timeout: Double = 30

    static let ipPath = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/sbin/ip"
    static let bridgePath = ["/usr/sbin/bridge", "/sbin/bridge"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/sbin/bridge"

    /// The program and arguments that run `command` through this channel.
    func invocation(_ command: KernelCommand) throws(VMCtlError) -> (String, [String]) {
        let local = command.program == .ip ? Self.ipPath : Self.bridgePath
        switch self {
        case .process:
            return (local, command.arguments)
        case .standIn(let name):
            return ("/usr/bin/nsenter", ["--target", String(try Self.holder(ofStandIn: name)), "--net", "--", local] + command.arguments)
        case .ssh(let user, let host, let port, let keyFile, let knownHosts):
            // ssh joins the remote words with spaces for the remote shell:
            // every word is checked to be one plain word first.
            let remote = [command.program.rawValue] + command.arguments
            guard remote.allSatisfy({ $0.wholeMatch(of: /[A-Za-z0-9_.:\/=-]+/) != nil }),
                host.wholeMatch(of: /[A-Za-z0-9_.:-]+/) != nil, user.map({ SSHCommand.isValidUser($0) }) ?? true
            else {
                throw VMCtlError("ssh to \(host.prefix(64)): refused to send a command that is not plain words", status: .usage)
            }
            // A host key that is unknown or not the recorded one is refused, whatever ~/.ssh/config says
            // (-o wins over it); with the URI's known_hosts, that file alone decides.
            var arguments = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "-o", "StrictHostKeyChecking=yes"]
            if let port { arguments += ["-p", String(port)] }
            if let keyFile { arguments += ["-i", keyFile, "-o", "IdentitiesOnly=yes"] }
            if let knownHosts { arguments += ["-o", "UserKnownHostsFile=\(knownHosts)", "-o", "GlobalKnownHostsFile=/dev/null"] }
            arguments += ["\(user.map { "\($0)@" } ?? "")\(host)", "--"] + remote
            return ("/usr/bin/ssh", arguments)
        }
    }

    /// The stand-in's namespace holder (its pid file), checked to be alive
    /// and in a network namespace other than this process's.
    static func holder(ofStandIn name: String) throws(VMCtlError) -> Int32 {
        guard isValidStandIn(name) else { throw .invalid(field: "stand_in", "\"\(name.prefix(40))\" is not allowed: \(standInRule)") }
        let directory = ProcessInfo.processInfo.environment["VMCTL_HOSTS_DIR"] ?? "/var/lib/vmctl/hosts"
        let file = "\(directory)/\(name)/pids/holder.pid"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
            let pid = Int32(text.trimmingWhitespace()), pid > 1
        else {
            throw VMCtlError("stand-in host \(name): no namespace holder (\(file)); start it with Scripts/second-libvirtd.sh start \(name)",
                             status: .unavailable)
        }
        let theirs = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")) ?? ""
        let ours = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")) ?? ""
        guard !theirs.isEmpty, theirs != ours else {
            throw VMCtlError("stand-in host \(name): its holder \(pid) is gone or not in a network namespace of its own", status: .unavailable)
        }
        return pid
    }

    /// Runs `command` on the host's kernel; its output, or an error that
    /// quotes the command and what it printed on stderr.
    @discardableResult
    public func run(_ command: KernelCommand, host: String) throws(VMCtlError) -> String {
        let (program, arguments) = try invocation(command)
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run(program, arguments, timeout: Self.timeout)
        } catch {
            throw VMCtlError("\(host): \(command.description): \(error)", status: .unavailable)
        }
        guard result.status == 0 else {
            if !result.timedOut, case .ssh = self, result.status == 255 {
                throw VMCtlError("\(host): \(description): \(sshFailure(result.errors)); nothing was run there", status: .unavailable)
            }
            let why = result.timedOut ? "no answer within \(Int(Self.timeout)) s" : result.errors.trimmingWhitespace()
            throw VMCtlError("\(host): \(command.description) (through \(description)) failed: \(why.prefix(300))")
        }
        return result.output
    }

    /// Why ssh itself failed (status 255), as one line: its host-key banner
    /// is a dozen lines, of which the reason is one.
    func sshFailure(_ errors: String) -> String {
        guard case .ssh(_, _, _, _, let knownHosts) = self else { return errors.trimmingWhitespace() }
        let file = knownHosts ?? "~/.ssh/known_hosts"
        if errors.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") || errors.contains("has changed and you have requested strict checking") {
            return "its host key is not the one in \(file) (ssh refused it: host key verification failed)"
        }
        if errors.contains("host key is known for") || errors.contains("Host key verification failed") {
            return "its host key is not in \(file) (ssh refused it: host key verification failed)"
        }
        let last = errors.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.last { !$0.isEmpty } ?? "exit status 255"
        return "ssh failed: \(last.prefix(300))"
    }

    /// The host's links, read with `ip -d -j link show`.
    public func links(host: String) throws(VMCtlError) -> [KernelLink] {
        let output = try run(.listLinks, host: host)
        do {
            return try KernelLink.parse(output)
        } catch {
            throw VMCtlError("\(host): ip -d -j link show printed what is not its JSON: \(error)")
        }
    }

    /// Link name → its IPv4 addresses, read with `ip -4 -j addr show`.
    public func addresses(host: String) throws(VMCtlError) -> [String: [IPAddress]] {
        KernelLink.addresses(try run(.listAddresses, host: host))
    }

    /// The remote addresses a VXLAN port floods to (its all-zero FDB entries).
    public func floodTargets(of link: KernelLinkName, host: String) throws(VMCtlError) -> Set<IPAddress> {
        let output = try run(.listForwarding(link), host: host)
        return KernelLink.floodTargets(output)
    }
}

/// One link as `ip -d -j link show` describes it: the fields spanned
/// networks need.
public struct KernelLink: Sendable, Equatable {
    public var name: String
    /// `bridge`, `vxlan`, `veth`, …; nil for a plain device.
    public var kind: String?
    public var master: String?
    public var mtu: Int?
    public var up: Bool
    public var vni: Int?
    public var port: Int?
    public var local: String?
    /// The VXLAN's underlay device.
    public var underlay: String?
    public var index: Int?
    public var addresses: [String] = []

    struct Raw: Decodable {
        struct Info: Decodable {
            struct Details: Decodable {
                var id: Int?
                var port: Int?
                var local: String?
                var link: String?
            }
            var info_kind: String?
            var info_data: Details?
        }
        var ifindex: Int?
        var ifname: String
        var master: String?
        var mtu: Int?
        var flags: [String]?
        var linkinfo: Info?
    }

    /// Parsed from `ip -d -j link show`'s JSON (a parser apart from the I/O, tested on fixtures).
    public static func parse(_ json: String) throws -> [KernelLink] {
        let trimmed = json.trimmingWhitespace()
        guard !trimmed.isEmpty else { return [] }
        let raw = try JSONDecoder().decode([Raw].self, from: Data(trimmed.utf8))
        return raw.map { (item: Raw) -> KernelLink in
            let data: Raw.Info.Details? = item.linkinfo?.info_data
            let up: Bool = item.flags?.contains("UP") ?? false
            return KernelLink(name: item.ifname, kind: item.linkinfo?.info_kind, master: item.master, mtu: item.mtu, up: up,
                              vni: data?.id, port: data?.port, local: data?.local, underlay: data?.link, index: item.ifindex)
        }
    }

    /// Link name → IPv4 addresses from `ip -4 -j addr show`'s JSON.
    static func addresses(_ json: String) -> [String: [IPAddress]] {
        struct Entry: Decodable {
            struct AddressInfo: Decodable { var local: String? }
            var ifname: String?
            var addr_info: [AddressInfo]?
        }
        let trimmed = json.trimmingWhitespace()
        guard !trimmed.isEmpty, let entries = try? JSONDecoder().decode([Entry].self, from: Data(trimmed.utf8)) else { return [:] }
        var result: [String: [IPAddress]] = [:]
        for entry in entries {
            guard let name = entry.ifname else { continue }
            for info in entry.addr_info ?? [] {
                if let text = info.local, let address = try? IPAddress(text) { result[name, default: []].append(address) }
            }
        }
        return result
    }

    /// The `dst` of every all-zero entry in `bridge -j fdb show dev LINK`'s JSON.
    static func floodTargets(_ json: String) -> Set<IPAddress> {
        struct Entry: Decodable {
            var mac: String?
            var dst: String?
        }
        let trimmed = json.trimmingWhitespace()
        guard !trimmed.isEmpty, let entries = try? JSONDecoder().decode([Entry].self, from: Data(trimmed.utf8)) else { return [] }
        return Set(entries.filter { $0.mac == "00:00:00:00:00:00" }.compactMap { $0.dst.flatMap { try? IPAddress($0) } })
    }
}
