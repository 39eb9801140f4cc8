import FoundationEssentials
import TextSupport
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// How a network created by `vmctl net create` reaches the outside.
public enum NetworkMode: String, Sendable, Hashable, CaseIterable, Codable {
    /// NAT to the host's default route.
    case nat
    /// Host-only: guests reach each other and the host, nothing else (no `<forward>`).
    case isolated
    /// Guests join an existing host bridge; addressing comes from that bridge's LAN.
    case bridge
    /// Routed without NAT.
    case route
    /// Routed with no firewall rules added by libvirt.
    case open
}

extension NetworkMode {
    /// The libvirt forward mode a network of this mode gets.
    public var forward: ForwardMode {
        switch self {
        case .nat: .nat
        case .isolated: .isolated
        case .bridge: .bridge
        case .route: .route(device: nil)
        case .open: .open
        }
    }

    /// Whether guests join an existing host bridge (its LAN addresses them),
    /// rather than a bridge libvirt makes on the network's own subnet. What
    /// `net create` and a plan's reader check follows from it.
    public var joinsHostBridge: Bool {
        switch self {
        case .bridge: true
        case .nat, .isolated, .route, .open: false
        }
    }
}

/// One row of `vmctl net list`. Field names are part of the stable JSON output.
public struct NetworkSummary: Codable, Sendable, Hashable {
    public var name: String
    public var uuid: String
    public var active: Bool
    public var autostart: Bool
    public var persistent: Bool
    /// The host bridge device; absent for macvtap networks.
    public var bridge: String?
    /// `nat`, `isolated`, `bridge`, `route`, `open`, `macvtap`, or `unknown` for forward modes vmctl does not model.
    public var mode: String
    /// The first subnet (IPv4 first) as network/prefix, absent without addressing.
    public var subnet: String?
}

/// A static DHCP host of a network (`vmctl net reserve`).
public struct NetworkReservation: Codable, Sendable, Hashable {
    public var mac: String?
    public var ip: String
    public var host: String?
}

/// An inclusive DHCP range in JSON.
public struct AddressRange: Codable, Sendable, Hashable {
    public var start: String
    public var end: String
}

/// `vmctl net show`. Field names are part of the stable JSON output.
public struct NetworkDetail: Codable, Sendable, Hashable {
    public var name: String
    public var uuid: String
    public var active: Bool
    public var autostart: Bool
    public var persistent: Bool
    public var bridge: String?
    public var mode: String
    public var subnet: String?
    /// The host's address on the network, which guests use as their gateway.
    public var gateway: String?
    public var dhcpRanges: [AddressRange]
    public var domain: String?
    public var reservations: [NetworkReservation]
    /// Running domains with an interface on this network, sorted.
    public var usedBy: [String]
}

/// One row of `vmctl net leases`.
public struct NetworkLease: Codable, Sendable, Hashable {
    public var ip: String
    public var prefix: Int
    public var mac: String
    public var hostname: String?
    /// Seconds since the epoch.
    public var expiryTime: Int64
    /// The same instant in ISO 8601 (UTC).
    public var expiry: String
}

/// What a command that changes one object did, for `--output json`.
public struct ActionResult: Codable, Sendable, Hashable {
    /// `network`, `pool` or `volume`.
    public var kind: String
    public var name: String
    /// `started`, `stopped`, `deleted`, `refreshed`, `reserved`, `unreserved`, …
    public var action: String
    /// The pool a volume belongs to.
    public var pool: String?

    public init(kind: String, name: String, action: String, pool: String? = nil) {
        self.kind = kind
        self.name = name
        self.action = action
        self.pool = pool
    }

    public var text: String {
        if let pool { return "\(action) \(kind) '\(name)' in pool '\(pool)'" }
        return "\(action) \(kind) '\(name)'"
    }
}

/// Text and JSON rendering of the network results.
public enum NetworkOutput {
    public static func list(_ networks: [NetworkSummary], format: OutputFormat) -> String {
        if format == .json { return renderJSON(["networks": networks]) }
        return renderTable(
            header: ["NAME", "ACTIVE", "AUTOSTART", "PERSISTENT", "BRIDGE", "MODE", "SUBNET"],
            rows: networks.map { n in
                [n.name, yesNo(n.active), yesNo(n.autostart), yesNo(n.persistent), n.bridge ?? "-", n.mode, n.subnet ?? "-"]
            })
    }

    public static func created(_ network: NetworkSummary, format: OutputFormat) -> String {
        if format == .json { return renderJSON(network) }
        var facts = [network.mode]
        if let subnet = network.subnet { facts.append(subnet) }
        if let bridge = network.bridge { facts.append("bridge \(bridge)") }
        facts.append(network.active ? "active" : "inactive")
        if network.autostart { facts.append("autostart") }
        return "created network '\(network.name)' (\(facts.joined(separator: ", ")))"
    }

    public static func detail(_ n: NetworkDetail, format: OutputFormat) -> String {
        if format == .json { return renderJSON(n) }
        var lines: [(String, String)] = [
            ("Name", n.name), ("UUID", n.uuid), ("Active", yesNo(n.active)), ("Autostart", yesNo(n.autostart)),
            ("Persistent", yesNo(n.persistent)), ("Mode", n.mode), ("Bridge", n.bridge ?? "-"), ("Subnet", n.subnet ?? "-"),
            ("Gateway", n.gateway ?? "-"),
            ("DHCP", n.dhcpRanges.isEmpty ? "off" : n.dhcpRanges.map { "\($0.start)-\($0.end)" }.joined(separator: ", ")),
            ("Domain", n.domain ?? "-"),
            ("Used by", n.usedBy.isEmpty ? "-" : n.usedBy.joined(separator: ", ")),
        ]
        for r in n.reservations {
            lines.append(("Reservation", [r.ip, r.mac, r.host].compactMap { $0 }.joined(separator: " ")))
        }
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { ($0.0 + ":").padded(toLength: width + 2) + $0.1 }.joined(separator: "\n")
    }

    public static func leases(_ leases: [NetworkLease], format: OutputFormat) -> String {
        if format == .json { return renderJSON(["leases": leases]) }
        return renderTable(
            header: ["IP", "MAC", "HOSTNAME", "EXPIRY"],
            rows: leases.map { ["\($0.ip)/\($0.prefix)", $0.mac, $0.hostname ?? "-", $0.expiry] })
    }

    public static func reservation(network: String, _ r: NetworkReservation, action: String, format: OutputFormat) -> String {
        struct Out: Encodable {
            var network: String
            var action: String
            var reservation: NetworkReservation
        }
        if format == .json { return renderJSON(Out(network: network, action: action, reservation: r)) }
        let who = [r.mac, r.host.map { "'\($0)'" }].compactMap { $0 }.joined(separator: " ")
        return "\(action) \(r.ip) for \(who) on network '\(network)'"
    }

    public static func action(_ result: ActionResult, format: OutputFormat) -> String {
        format == .json ? renderJSON(result) : result.text
    }
}

func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

extension ForwardMode {
    /// The mode as `vmctl net list` prints it.
    var displayName: String {
        switch self {
        case .nat: "nat"
        case .isolated: "isolated"
        case .route: "route"
        case .open: "open"
        case .bridge: "bridge"
        case .macvtap: "macvtap"
        case .unmodeled(let mode): mode
        }
    }
}

extension IPNetwork {
    /// `network/prefix`, host bits cleared.
    var subnetText: String { "\(network)/\(prefixLength)" }
}
