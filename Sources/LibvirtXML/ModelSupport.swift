import FoundationEssentials

/// A libvirt document the module can read, validate and write.
///
/// `init(xml:)` reads libvirt's XML (and keeps the parsed tree); `xml()` validates the
/// model and writes it. A model read from XML writes back its original tree with only
/// the nodes whose values changed edited, so elements and attributes the model does
/// not know survive byte for byte.
public protocol XMLDocumentConvertible: Sendable, Equatable {
    /// Reads a document; throws a ``ModelError`` on malformed, hostile or invalid XML.
    init(xml: String) throws
    /// Validates the model and writes the document; throws the first ``ModelError`` found.
    func xml() throws -> String
    /// Throws the first ``ModelError`` found in the model's values.
    func validate() throws
}

/// The tree a value was read from, kept so that writing it back edits only what changed.
///
/// It takes no part in equality or hashing, and is not encoded (each model's `CodingKeys`
/// leave it out): two models with the
/// same values are equal whether they were read from XML or built in code.
public struct PreservedXML: Sendable, Hashable {
    var element: XMLTree.Element?

    init(_ element: XMLTree.Element? = nil) { self.element = element }

    public static func == (lhs: PreservedXML, rhs: PreservedXML) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}

    /// The preserved element, or a new empty one called `name`.
    func base(_ name: String, style: XMLTree.Style = .libvirt) -> XMLTree.Element {
        element ?? XMLTree.Element(name, style: style)
    }
}

/// A value that keeps the node it was read from (``PreservedXML``).
///
/// The one editing mechanism of the module: writing such a value back starts from
/// its node and applies only the fields that differ from what that node reads as
/// (``asRead``), so a field nobody changed is never rewritten, however the model
/// would have written it. A value equal to what its node reads as writes that node
/// unchanged, and its validation passes: it is libvirt's, not vmctl's.
protocol PreservedValue: Equatable {
    var original: PreservedXML { get }
    /// Reads a value from `element` exactly as it was first read.
    static func reread(_ element: XMLTree.Element) throws -> Self
}

extension PreservedValue {
    /// What the preserved node reads as; nil for a value built in code.
    var asRead: Self? {
        guard let element = original.element else { return nil }
        return try? Self.reread(element)
    }

    /// The preserved node, when the value still reads the same from it.
    var unchangedElement: XMLTree.Element? {
        guard let element = original.element, asRead == self else { return nil }
        return element
    }

    /// Whether the value is exactly what its node read as (nothing to validate or write).
    var isAsRead: Bool { unchangedElement != nil }

    /// Whether `field` differs from its value in `was` (always true without one: a value built in code).
    func differs<V: Equatable>(_ field: KeyPath<Self, V>, from was: Self?) -> Bool {
        was.map { $0[keyPath: field] != self[keyPath: field] } ?? true
    }
}

/// Parses a document and checks its root element's name.
func parseRoot(_ xml: String, expected: String) throws -> XMLTree.Element {
    let root = try XMLReader.parse(xml)
    guard root.name == expected else {
        throw ModelError(field: "xml", value: root.name, rule: "root element must be <\(expected)>")
    }
    return root
}

// MARK: - Reading helpers

extension XMLTree.Element {
    func required(_ attribute: String, field: String) throws -> String {
        guard let value = self.attribute(attribute) else {
            throw ModelError(field: field, rule: "<\(name)> needs the attribute '\(attribute)'")
        }
        return value
    }

    func requiredChild(_ name: String, field: String) throws -> XMLTree.Element {
        guard let child = child(name) else {
            throw ModelError(field: field, rule: "<\(self.name)> needs a <\(name)> element")
        }
        return child
    }

    func intAttribute(_ name: String, field: String) throws -> Int? {
        guard let text = attribute(name) else { return nil }
        return try parseInt(text, field: field)
    }

    /// Reads `<name unit='…'>value</name>` as a size.
    func size(_ child: String, defaultUnit: String, field: String) throws -> ByteSize? {
        guard let element = self.child(child) else { return nil }
        return try ByteSize(libvirtValue: element.text, unit: element.attribute("unit"), defaultUnit: defaultUnit, field: field)
    }

    /// Writes `<name unit='KiB|bytes'>value</name>` unless the existing node already holds the same size.
    mutating func setSize(_ child: String, _ size: ByteSize?, unit: SizeUnit, defaultUnit: String, order: [String]) {
        guard let size else {
            setChild(child, nil, order: order)
            return
        }
        if let existing = self.child(child),
            let old = try? ByteSize(libvirtValue: existing.text, unit: existing.attribute("unit"), defaultUnit: defaultUnit, field: child),
            old == size
        {
            return
        }
        let useKiB = unit == .kib && size.exactKiB != nil
        updateChild(child, order: order) {
            $0.setAttribute("unit", useKiB ? "KiB" : "bytes")
            $0.setText(String(useKiB ? size.bytes / 1024 : size.bytes))
        }
    }
}

enum SizeUnit { case kib, bytes }

func parseInt(_ text: String, field: String) throws -> Int {
    guard let value = Int(text.trimmingSpaces()) else {
        throw ModelError(field: field, value: text, rule: "must be an integer")
    }
    return value
}

func parseUUID(_ text: String, field: String = "uuid") throws -> UUID {
    let trimmed = text.trimmingSpaces()
    var candidate = trimmed
    if trimmed.count == 32, trimmed.allSatisfy(\.isHexDigit) {
        let c = Array(trimmed)
        candidate = String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }
    guard let uuid = UUID(uuidString: candidate) else {
        throw ModelError(field: field, value: text, rule: "write a UUID as 8-4-4-4-12 hex digits")
    }
    return uuid
}

/// Parses a UUID: 8-4-4-4-12 hex digits (or 32 hex digits), as libvirt accepts.
public func parseLibvirtUUID(_ text: String, field: String = "uuid") throws -> UUID {
    try parseUUID(text, field: field)
}

extension UUID {
    /// libvirt's form: lower-case 8-4-4-4-12.
    var libvirtString: String { uuidString.lowercased() }
}

extension XMLTree.Element {
    /// Sets `<uuid>` unless it already names the same UUID.
    mutating func setUUID(_ uuid: UUID?, order: [String]) {
        if let uuid, let existing = childText("uuid"), (try? parseUUID(existing)) == uuid { return }
        setTextChild("uuid", uuid?.libvirtString, order: order)
    }
}

func checkPositive(_ value: Int, field: String) throws {
    guard value > 0 else { throw ModelError(field: field, value: String(value), rule: "must be at least 1") }
}

func checkOptionalText(_ text: String?, field: String) throws {
    if let text { try TextRule.check(text, field: field) }
}

/// A string-backed value libvirt may extend (bus names, models, formats). Unknown values round-trip.
public protocol OpenStringValue: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral where RawValue == String
{
    init(rawValue: String)
}

extension OpenStringValue {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }
    func check(field: String) throws { try TextRule.checkNonEmpty(rawValue, field: field) }
}
