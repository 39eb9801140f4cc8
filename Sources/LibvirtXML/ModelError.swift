/// The single error type of the LibvirtXML module.
///
/// Every failure, whether a value that breaks a rule or XML that cannot be read,
/// names the field it concerns and the rule it breaks. ``description`` is always
/// one line, e.g.
/// `name: "a<b" is not allowed: use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most 64 characters`.
public struct ModelError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The field the error concerns, as a dotted path (`devices.disk[0].source.file`), or `xml` for the document itself.
    public var field: String
    /// The offending value, if there is one.
    public var value: String?
    /// The rule that was broken, in words.
    public var rule: String

    /// Creates an error for `field`, optionally quoting the offending `value`.
    public init(field: String, value: String? = nil, rule: String) {
        self.field = field
        self.value = value
        self.rule = rule
    }

    /// One line: `field: "value" is not allowed: rule`, or `field: rule` without a value.
    public var description: String { "\(field): \(statement)" }

    /// What is wrong, without the field: `"value" is not allowed: rule`, or the rule alone.
    public var statement: String {
        if let value {
            return "\(ModelError.quote(value)) is not allowed: \(rule)"
        }
        return rule
    }

    /// Quotes a value on one line: control characters and quotes are escaped, long values are cut.
    static func quote(_ value: String) -> String {
        var out = "\""
        var count = 0
        for scalar in value.unicodeScalars {
            if count == 80 {
                out += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Prefixes the field with `prefix` (`disk[0]` + `source.file`).
    func nested(in prefix: String) -> ModelError {
        var copy = self
        copy.field = field == "xml" ? prefix : prefix + "." + field
        return copy
    }
}

/// Runs `body`, prefixing the field of any ``ModelError`` it throws with `prefix`.
func within<T>(_ prefix: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ModelError {
        throw error.nested(in: prefix)
    }
}

/// Rules for free text (titles, descriptions, paths, command lines) that must survive an XML round trip.
public enum TextRule {
    /// Throws if `text` holds a character XML 1.0 cannot carry
    /// (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+FFFE, U+FFFF).
    public static func check(_ text: String, field: String) throws {
        for scalar in text.unicodeScalars where !isAllowed(scalar) {
            throw ModelError(
                field: field, value: text,
                rule: "contains U+\(hex4(scalar.value)), a control character XML 1.0 cannot carry")
        }
    }

    /// Throws if `text` is nil-free but empty, or holds a character XML cannot carry.
    static func checkNonEmpty(_ text: String, field: String) throws {
        if text.isEmpty { throw ModelError(field: field, rule: "must not be empty") }
        try check(text, field: field)
    }

    /// Whether XML 1.0 can carry `scalar`.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 { return v == 0x09 || v == 0x0A || v == 0x0D }
        return v != 0xFFFE && v != 0xFFFF
    }

    static func hex4(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}

extension TextRule {
    /// Throws unless `path` is an absolute path on one line that XML can carry
    /// (libvirt's schema: `(/|[a-zA-Z]:\\).+`, where `.` excludes line breaks).
    public static func checkPath(_ path: String, field: String) throws {
        try checkNonEmpty(path, field: field)
        guard path.hasPrefix("/") else {
            throw ModelError(field: field, value: path, rule: "must be an absolute path")
        }
        guard !path.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) else {
            throw ModelError(field: field, value: path, rule: "must not contain a line break")
        }
    }

    /// Throws unless `name` is a host network device name: 1–15 of letters, digits, '_', '.', '-'.
    public static func checkDeviceName(_ name: String, field: String) throws {
        guard !name.isEmpty, name.utf8.count <= 15, name != ".", name != "..",
            name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "." || $0 == "-") })
        else {
            throw ModelError(field: field, value: name, rule: "must be a host device name: 1–15 of letters, digits, '_', '.', '-'")
        }
    }

    /// Throws unless `name` is a DNS name: letters, digits, '-', '.'; not starting with '-' or '.'; at most 253 characters.
    public static func checkHostname(_ name: String, field: String) throws {
        guard let first = name.unicodeScalars.first, first != "-", first != ".", name.utf8.count <= 253,
            name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == ".") })
        else {
            throw ModelError(field: field, value: name, rule: "must be a DNS name: letters, digits, '-', '.'; not starting with '-' or '.'")
        }
    }
}
