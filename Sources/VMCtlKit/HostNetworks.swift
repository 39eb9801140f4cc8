import FoundationEssentials
import HostCheck
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// An address configured on a host interface, with its prefix (`192.0.2.2/24 on eth0`).
public struct HostAddress: Sendable, Hashable {
    public var interface: String
    public var address: IPNetwork

    public init(interface: String, address: IPNetwork) {
        self.interface = interface
        self.address = address
    }
}

/// A route in the host's IPv4 routing table (`/proc/net/route`).
public struct HostRoute: Sendable, Hashable {
    public var interface: String
    /// The destination with its prefix; the default route is `0.0.0.0/0`.
    public var destination: IPNetwork

    public init(interface: String, destination: IPNetwork) {
        self.interface = interface
        self.destination = destination
    }
}

/// What vmctl needs to know about the host's networking before it defines a
/// libvirt network: addresses, routes and which interfaces exist (and which are bridges).
public struct HostNetworkState: Sendable, Hashable {
    public var addresses: [HostAddress]
    public var routes: [HostRoute]
    /// Every interface name under /sys/class/net, mapped to whether it is a bridge.
    public var interfaces: [String: Bool]
    /// Whether `interfaces` lists the host's interfaces (a remote daemon without an interface driver tells none).
    public var knowsInterfaces = true

    public init(addresses: [HostAddress] = [], routes: [HostRoute] = [], interfaces: [String: Bool] = [:]) {
        self.addresses = addresses
        self.routes = routes
        self.interfaces = interfaces
    }

    public func isBridge(_ name: String) -> Bool { interfaces[name] == true }
    public func hasInterface(_ name: String) -> Bool { interfaces[name] != nil }

    /// Reads the live host: `/proc/net/route`, `ip -j addr` and `/sys/class/net`.
    /// A source that cannot be read contributes nothing (the others still count).
    public static func live() -> HostNetworkState {
        let routes = (try? String(contentsOfFile: "/proc/net/route", encoding: .utf8)).map(HostNetworkParsers.routes(procNetRoute:)) ?? []
        let addresses = HostNetworkParsers.runIPAddr().map { (try? HostNetworkParsers.addresses(ipJSON: $0)) ?? [] } ?? []
        var interfaces: [String: Bool] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? [] {
            interfaces[name] = FileManager.default.fileExists(atPath: "/sys/class/net/\(name)/bridge")
        }
        return HostNetworkState(addresses: addresses, routes: routes, interfaces: interfaces)
    }
}

/// Parsers for the host's network state; they take text, so tests feed fixtures.
public enum HostNetworkParsers {
    /// Parses `/proc/net/route`: destination and mask are little-endian hex.
    /// Lines that do not parse are skipped.
    public static func routes(procNetRoute text: String) -> [HostRoute] {
        var out: [HostRoute] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 8, let destination = UInt32(fields[1], radix: 16), let mask = UInt32(fields[7], radix: 16)
            else { continue }
            let prefix = mask.nonzeroBitCount
            let bytes = withUnsafeBytes(of: destination.littleEndian) { Array($0) }
            guard let network = try? IPNetwork(address: .v4(bytes), prefixLength: prefix) else { continue }
            out.append(HostRoute(interface: String(fields[0]), destination: network))
        }
        return out
    }

    /// Parses the JSON that `ip -j addr` prints.
    public static func addresses(ipJSON text: String) throws -> [HostAddress] {
        struct Link: Decodable {
            var ifname: String
            var addr_info: [Info]?
        }
        struct Info: Decodable {
            var local: String?
            var prefixlen: Int?
        }
        let links = try JSONDecoder().decode([Link].self, from: Data(text.utf8))
        return links.flatMap { link in
            (link.addr_info ?? []).compactMap { info -> HostAddress? in
                guard let local = info.local, let prefix = info.prefixlen,
                    let address = try? IPAddress(local), let network = try? IPNetwork(address: address, prefixLength: prefix)
                else { return nil }
                return HostAddress(interface: link.ifname, address: network)
            }
        }
    }

    /// Runs `ip -j addr`; nil when it cannot run or fails.
    static func runIPAddr() -> String? {
        for path in ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"] where FileManager.default.isExecutableFile(atPath: path) {
            guard let result = try? runProcess(path, ["-j", "addr"]), result.status == 0 else { return nil }
            return result.output
        }
        return nil
    }
}

/// Something a proposed subnet collides with.
public enum SubnetConflict: Sendable, Hashable, CustomStringConvertible {
    /// Another libvirt network's `<ip>` subnet.
    case network(name: String, subnet: IPNetwork)
    /// An address on a host interface.
    case address(HostAddress)
    /// A route in the host's routing table.
    case route(HostRoute)

    /// The conflict as the end of a one-line message: `network 'lab-mgmt' (10.77.0.0/24)`.
    public var description: String {
        switch self {
        case .network(let name, let subnet): "network '\(name)' (\(subnet.network)/\(subnet.prefixLength))"
        case .address(let a): "address \(a.address) on \(a.interface)"
        case .route(let r): "route \(r.destination) on \(r.interface)"
        }
    }

    /// The first conflict of `subnet`: libvirt networks first, then host addresses, then
    /// routes. Default routes (prefix 0) are not conflicts; they cover everything.
    public static func first(
        for subnet: IPNetwork, networks: [(name: String, subnet: IPNetwork)], host: HostNetworkState
    ) -> SubnetConflict? {
        if let hit = networks.first(where: { subnet.overlaps($0.subnet) }) { return .network(name: hit.name, subnet: hit.subnet) }
        if let hit = host.addresses.first(where: { subnet.overlaps($0.address) }) { return .address(hit) }
        if let hit = host.routes.first(where: { $0.destination.prefixLength > 0 && subnet.overlaps($0.destination) }) {
            return .route(hit)
        }
        return nil
    }
}

/// Runs a program to completion and returns its status, standard output and standard error.
func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
    let result = try ChildProcess.run(executable, arguments)
    return (result.status, result.output, result.errors)
}

/// The project's one process runner lives in HostCheck, the lowest module that runs programs.
public typealias ChildProcess = HostCheck.ChildProcess
