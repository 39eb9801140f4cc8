/// The name of a domain, network, pool, volume, snapshot or lab.
///
/// Names vmctl creates (``init(_:field:)``, literals, decoding) follow an allow-list:
/// ASCII letters, digits, `-`, `_` and `.`; not starting with `-` or `.`; 1 to
/// ``maximumLength`` characters. Anything else is rejected, so such a name can be
/// pasted into a path, a command line or XML without quoting.
///
/// Names *read* from libvirt's XML (``init(libvirtName:field:)``) only follow
/// libvirt's own rules, so that a domain called `my vm (win10)` still reads;
/// ``followsAllowList`` tells them apart. The writer escapes every name.
public struct ObjectName: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The longest name accepted.
    public static let maximumLength = 64
    /// The rule, in words, as error messages quote it.
    public static let rule =
        "use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most \(maximumLength) characters"

    public let rawValue: String

    /// Validates `name`; throws a ``ModelError`` naming `field` if it breaks the rule.
    public init(_ name: String, field: String = "name") throws {
        guard ObjectName.isValid(name) else {
            throw ModelError(field: field, value: name, rule: ObjectName.rule)
        }
        rawValue = name
    }

    /// A name as libvirt accepts it: not empty, without `/` or a line break
    /// (libvirt refuses those in object names). Used by the XML readers.
    public init(libvirtName name: String, field: String = "name") throws {
        guard !name.isEmpty, !name.contains("/"), !name.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" })
        else {
            throw ModelError(field: field, value: name, rule: "libvirt names are not empty and have no '/' or line break")
        }
        rawValue = name
    }

    /// Whether the name follows vmctl's allow-list (always so, unless read with ``init(libvirtName:field:)``).
    public var followsAllowList: Bool { ObjectName.isValid(rawValue) }

    /// Returns nil when `rawValue` breaks the rule.
    public init?(rawValue: String) {
        guard ObjectName.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// A name written in source code. An invalid literal is a programmer error and traps.
    ///
    /// Note that `ObjectName("web1")` with a string *literal* is this conversion (SE-0213);
    /// validate input, which is never a literal, with ``init(_:field:)``: `try ObjectName(input)`.
    public init(stringLiteral value: String) {
        guard ObjectName.isValid(value) else { preconditionFailure("invalid ObjectName literal \(value)") }
        rawValue = value
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        try self.init(try container.decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: ObjectName, rhs: ObjectName) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether `name` follows the rule.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumLength, bytes.count == name.unicodeScalars.count else { return false }
        guard bytes[0] != UInt8(ascii: "-"), bytes[0] != UInt8(ascii: ".") else { return false }
        return bytes.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
        }
    }
}
