/// A unicast Ethernet MAC address, written `52:54:00:ab:cd:ef`.
public struct MACAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The six octets.
    public let octets: [UInt8]

    /// The prefix libvirt and QEMU use for generated addresses.
    public static let qemuPrefix: [UInt8] = [0x52, 0x54, 0x00]

    /// Parses six colon-separated pairs of hex digits. Multicast addresses are rejected.
    public init(_ text: String, field: String = "mac") throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let rule = "write six pairs of hex digits separated by ':', e.g. 52:54:00:12:34:56"
        guard parts.count == 6 else { throw ModelError(field: field, value: text, rule: rule) }
        var octets: [UInt8] = []
        for part in parts {
            guard part.count == 2, part.allSatisfy(\.isHexDigit), let value = UInt8(part, radix: 16) else {
                throw ModelError(field: field, value: text, rule: rule)
            }
            octets.append(value)
        }
        guard octets[0] & 1 == 0 else {
            throw ModelError(field: field, value: text, rule: "must be a unicast address (lowest bit of the first octet clear)")
        }
        self.octets = octets
    }

    /// An address from six octets; nil unless there are six and the address is unicast.
    public init?(octets: [UInt8]) {
        guard octets.count == 6, octets[0] & 1 == 0 else { return nil }
        self.octets = octets
    }

    /// A random address in 52:54:00:xx:xx:xx.
    public static func random() -> MACAddress {
        var rng = SystemRandomNumberGenerator()
        return random(using: &rng)
    }

    /// A random address in 52:54:00:xx:xx:xx drawn from `generator` (inject a seeded one in tests).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> MACAddress {
        let tail = generator.next()
        return MACAddress(
            unchecked: qemuPrefix + [UInt8(truncatingIfNeeded: tail >> 16), UInt8(truncatingIfNeeded: tail >> 8), UInt8(truncatingIfNeeded: tail)])
    }

    private init(unchecked octets: [UInt8]) { self.octets = octets }

    public var description: String {
        octets.map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined(separator: ":")
    }

    public init(from decoder: Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
