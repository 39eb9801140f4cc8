#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address.
public enum IPAddress: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    /// Parses dotted-quad IPv4 (no leading zeros) or any IPv6 text form.
    public init(_ text: String, field: String = "address") throws {
        if let v4 = IPAddress.parseV4(text) {
            self = .v4(v4)
        } else if text.contains(":"), let v6 = IPAddress.parseV6(text) {
            self = .v6(v6)
        } else {
            throw ModelError(field: field, value: text, rule: "write an IPv4 address (192.168.1.10) or an IPv6 address (fd00::10)")
        }
    }

    /// The address's bytes: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let b), .v6(let b): return b
        }
    }

    /// Whether this is an IPv4 address.
    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// libvirt's `family` attribute value: `ipv4` or `ipv6`.
    public var family: String { isIPv4 ? "ipv4" : "ipv6" }

    public var description: String {
        switch self {
        case .v4(let b):
            return b.map(String.init).joined(separator: ".")
        case .v6(let b):
            var storage = in6_addr()
            withUnsafeMutableBytes(of: &storage) { raw in
                for (i, byte) in b.enumerated() where i < raw.count { raw[i] = byte }
            }
            var buffer = [CChar](repeating: 0, count: 64)
            let ok = buffer.withUnsafeMutableBufferPointer { out in
                inet_ntop(AF_INET6, &storage, out.baseAddress, socklen_t(out.count)) != nil
            }
            guard ok else { return "::" }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// The same family address, `offset` after this one, or nil on wrap-around.
    public func adding(_ offset: Int) -> IPAddress? {
        var b = bytes
        var carry = offset
        var i = b.count - 1
        while carry != 0 && i >= 0 {
            let sum = Int(b[i]) + carry
            b[i] = UInt8(truncatingIfNeeded: sum)
            carry = sum >> 8
            i -= 1
        }
        guard carry == 0 else { return nil }
        return isIPv4 ? .v4(b) : .v6(b)
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.isIPv4 != rhs.isIPv4 { return lhs.isIPv4 }
        return lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    public init(from decoder: Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func parseV4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part == "0" || part.first != "0", let value = UInt8(part)
            else { return nil }
            out.append(value)
        }
        return out
    }

    static func parseV6(_ text: String) -> [UInt8]? {
        guard text.utf8.count < 64, text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 }) else { return nil }
        var storage = in6_addr()
        guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
        return withUnsafeBytes(of: storage) { Array($0.prefix(16)) }
    }
}

/// An address with a prefix length: `192.168.100.1/24`, `fd00:10::1/64`.
///
/// The address may be a host address (libvirt's `<ip address=… prefix=…>` names the
/// host side, which is the gateway) or the network address.
public struct IPNetwork: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The address as written.
    public var address: IPAddress
    /// The prefix length: 0–32 for IPv4, 0–128 for IPv6.
    public var prefixLength: Int

    /// Parses `address/prefix`.
    public init(cidr text: String, field: String = "cidr") throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ModelError(field: field, value: text, rule: "write address/prefix, e.g. 192.168.100.0/24 or fd00::/64")
        }
        try self.init(address: try IPAddress(String(parts[0]), field: field), prefixLength: prefix, field: field)
    }

    /// An address and a prefix length, checked against the family's maximum.
    public init(address: IPAddress, prefixLength: Int, field: String = "prefix") throws {
        let maximum = address.isIPv4 ? 32 : 128
        guard prefixLength >= 0 && prefixLength <= maximum else {
            throw ModelError(field: field, value: String(prefixLength), rule: "prefix length must be 0–\(maximum)")
        }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// An IPv4 address and a dotted netmask (`255.255.255.0`).
    public init(address: IPAddress, netmask: String, field: String = "netmask") throws {
        guard address.isIPv4, let mask = IPAddress.parseV4(netmask) else {
            throw ModelError(field: field, value: netmask, rule: "write an IPv4 netmask such as 255.255.255.0")
        }
        var bits = 0
        var seenZero = false
        for byte in mask {
            for shift in stride(from: 7, through: 0, by: -1) {
                if byte >> UInt8(shift) & 1 == 1 {
                    if seenZero { throw ModelError(field: field, value: netmask, rule: "netmask bits must be contiguous") }
                    bits += 1
                } else {
                    seenZero = true
                }
            }
        }
        try self.init(address: address, prefixLength: bits, field: field)
    }

    public var description: String { "\(address)/\(prefixLength)" }

    public var isIPv4: Bool { address.isIPv4 }

    /// The network address (host bits cleared).
    public var network: IPAddress { masked(setHostBits: false) }

    /// The last address in the subnet (the broadcast address for IPv4).
    public var lastAddress: IPAddress { masked(setHostBits: true) }

    /// The dotted netmask, for IPv4.
    public var netmask: String? {
        guard isIPv4 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 4)
        for bit in 0..<prefixLength { bytes[bit / 8] |= UInt8(0x80) >> UInt8(bit % 8) }
        return bytes.map(String.init).joined(separator: ".")
    }

    /// The conventional gateway: the first host address (network + 1).
    public var gateway: IPAddress? {
        guard hostCount >= 2 else { return nil }
        return network.adding(1)
    }

    /// The last usable host address: broadcast − 1 for IPv4, the last address for IPv6.
    public var lastUsable: IPAddress? {
        guard hostCount >= 2 else { return nil }
        return isIPv4 ? lastAddress.adding(-1) : lastAddress
    }

    /// The default DHCP range: from the address after the gateway to the last usable address.
    public var defaultDHCPRange: DHCPRange? {
        guard let gateway, let start = gateway.adding(1), let end = lastUsable, start <= end else { return nil }
        return DHCPRange(start: start, end: end)
    }

    /// Whether `address` lies in this subnet.
    public func contains(_ address: IPAddress) -> Bool {
        guard address.isIPv4 == isIPv4 else { return false }
        return network <= address && address <= lastAddress
    }

    /// Whether this subnet and `other` share any address.
    public func overlaps(_ other: IPNetwork) -> Bool {
        guard isIPv4 == other.isIPv4 else { return false }
        return contains(other.network) || other.contains(network)
    }

    /// The first overlapping pair among `networks`, if any.
    public static func firstOverlap(in networks: [IPNetwork]) -> (IPNetwork, IPNetwork)? {
        for i in networks.indices {
            for j in networks.indices where j > i && networks[i].overlaps(networks[j]) {
                return (networks[i], networks[j])
            }
        }
        return nil
    }

    /// Throws unless `range` lies inside the subnet, is ordered, avoids the network and
    /// broadcast addresses, and does not contain `gateway` (default: this network's address).
    public func validate(_ range: DHCPRange, gateway: IPAddress? = nil, field: String = "dhcp.range") throws {
        let gw = gateway ?? address
        let text = "\(range.start)-\(range.end)"
        guard range.start.isIPv4 == isIPv4, range.end.isIPv4 == isIPv4 else {
            throw ModelError(field: field, value: text, rule: "must be the same address family as \(self)")
        }
        guard contains(range.start), contains(range.end) else {
            throw ModelError(field: field, value: text, rule: "must lie inside the subnet \(network)/\(prefixLength)")
        }
        guard range.start <= range.end else {
            throw ModelError(field: field, value: text, rule: "start must not be after end")
        }
        guard range.start != network, !(isIPv4 && range.end == lastAddress) else {
            throw ModelError(field: field, value: text, rule: "must not include the network or broadcast address")
        }
        guard !(range.start <= gw && gw <= range.end) else {
            throw ModelError(field: field, value: text, rule: "must not contain the gateway \(gw)")
        }
    }

    private var hostCount: Double {
        let bits = (isIPv4 ? 32 : 128) - prefixLength
        let total = Double(sign: .plus, exponent: bits, significand: 1)
        return isIPv4 ? total - 2 : total - 1
    }

    private func masked(setHostBits: Bool) -> IPAddress {
        var bytes = address.bytes
        for bit in prefixLength..<(bytes.count * 8) {
            let mask = UInt8(0x80) >> UInt8(bit % 8)
            if setHostBits { bytes[bit / 8] |= mask } else { bytes[bit / 8] &= ~mask }
        }
        return isIPv4 ? .v4(bytes) : .v6(bytes)
    }
}

/// An inclusive range of addresses handed out by DHCP.
public struct DHCPRange: Sendable, Hashable, Codable {
    public var start: IPAddress
    public var end: IPAddress
    public init(start: IPAddress, end: IPAddress) {
        self.start = start
        self.end = end
    }
}
