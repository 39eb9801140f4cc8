/// Writes `node` as block-style YAML that ``compose(_:)`` and PyYAML (which
/// cloud-init uses) both read back to the same tree.
///
/// Layout as libyaml writes it: two spaces per level, a list under a key at
/// the key's own indentation, empty collections as `[]` and `{}`, no line
/// width limit. A scalar keeps its style where that is safe: a plain one is
/// quoted when its text would read as another type (`yes`, `null`, `12`) or
/// is not plain-safe (`: `, ` #`, leading indicators, outer spaces, empty);
/// text with a line break becomes a literal block (when its style was a block
/// style) or a double-quoted string with escapes. Tags are written only when
/// the text would not resolve to them by itself.
public func serialize(_ node: Node) -> String {
    var writer = Writer()
    writer.top(node)
    return writer.out
}

struct Writer {
    var out = ""

    static func spaces(_ n: Int) -> String { String(repeating: " ", count: n) }

    mutating func top(_ node: Node) {
        switch node {
        case .scalar(let scalar):
            // A block's lines are indented even at the top: at column 1 they would read as a new node.
            let written = Self.scalar(scalar, indent: 2)
            out += written.text.isEmpty ? "---\n" : written.text + (written.isBlock ? "" : "\n")
        case .sequence(let seq):
            if let tag = Self.tagText(seq.tag, default: Tags.seq) { out += tag + (seq.isEmpty ? " " : "\n") }
            if seq.isEmpty { out += "[]\n" } else { sequence(seq, indent: 0, continuing: false) }
        case .mapping(let map):
            if let tag = Self.tagText(map.tag, default: Tags.map) { out += tag + (map.isEmpty ? " " : "\n") }
            if map.isEmpty { out += "{}\n" } else { mapping(map, indent: 0, continuing: false) }
        }
    }

    /// Entries at `indent`; with `continuing`, the first one goes where the output stands (after `- `).
    mutating func mapping(_ map: Node.Mapping, indent: Int, continuing: Bool) {
        for (index, pair) in map.enumerated() {
            if index > 0 || !continuing { out += Self.spaces(indent) }
            out += Self.key(pair.key) + ":"
            value(pair.value, indent: indent, inMapping: true)
        }
    }

    mutating func sequence(_ seq: Node.Sequence, indent: Int, continuing: Bool) {
        for (index, item) in seq.enumerated() {
            if index > 0 || !continuing { out += Self.spaces(indent) }
            out += "-"
            value(item, indent: indent, inMapping: false)
        }
    }

    /// What follows `key:` or `-`, up to and including its last line break.
    mutating func value(_ node: Node, indent: Int, inMapping: Bool) {
        switch node {
        case .scalar(let scalar):
            let written = Self.scalar(scalar, indent: indent + 2)
            out += written.text.isEmpty ? "\n" : " " + written.text + (written.isBlock ? "" : "\n")
        case .sequence(let seq):
            let tag = Self.tagText(seq.tag, default: Tags.seq)
            if seq.isEmpty {
                out += " " + (tag.map { $0 + " " } ?? "") + "[]\n"
            } else if inMapping {
                // libyaml's layout: a list under a key is not indented further.
                out += (tag.map { " " + $0 } ?? "") + "\n"
                sequence(seq, indent: indent, continuing: false)
            } else if let tag {
                out += " " + tag + "\n"
                sequence(seq, indent: indent + 2, continuing: false)
            } else {
                out += " "
                sequence(seq, indent: indent + 2, continuing: true)
            }
        case .mapping(let map):
            let tag = Self.tagText(map.tag, default: Tags.map)
            if map.isEmpty {
                out += " " + (tag.map { $0 + " " } ?? "") + "{}\n"
            } else if inMapping || tag != nil {
                out += (tag.map { " " + $0 } ?? "") + "\n"
                mapping(map, indent: indent + 2, continuing: false)
            } else {
                out += " "
                mapping(map, indent: indent + 2, continuing: true)
            }
        }
    }

    // MARK: Scalars

    /// A scalar's text as written, and whether it is a block (which ends in its own line break).
    /// `indent` is where a block's lines go.
    static func scalar(_ scalar: Node.Scalar, indent: Int) -> (text: String, isBlock: Bool) {
        let tag = scalar.resolvedTag
        let text = scalar.text
        let needsTag: Bool
        let style: ScalarStyle
        if tag == Resolver.tag(ofPlain: text), isPlainSafe(text, flow: false) || (text.isEmpty && tag == Tags.null),
           scalar.style == .plain || tag != Tags.str {
            (style, needsTag) = (.plain, false)
        } else if tag == Tags.str {
            (style, needsTag) = (quotedStyle(text, preferred: scalar.style), false)
        } else {
            // A tag the text does not resolve to by itself, such as !!str on 12 or !custom.
            style = isPlainSafe(text, flow: false) ? .plain : quotedStyle(text, preferred: scalar.style)
            needsTag = true
        }
        let prefix = needsTag ? (tagText(tag, default: "") ?? "") + " " : ""
        switch style {
        case .plain: return (prefix + text, false)
        case .singleQuoted: return (prefix + singleQuoted(text), false)
        case .literal, .folded: return (prefix + literal(text, indent: indent), true)
        case .doubleQuoted: return (prefix + doubleQuoted(text), false)
        }
    }

    /// A key: one line always.
    static func key(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            // An empty key written plain would be nothing before the ':'.
            if scalar.text.isEmpty && scalar.resolvedTag == Tags.null { return "!!null ''" }
            var single = scalar
            if single.style == .literal || single.style == .folded { single.style = .doubleQuoted }
            return Self.scalar(single, indent: 0).text
        case .sequence, .mapping:
            return flow(node)
        }
    }

    /// A collection on one line: `[a, b]`, `{a: 1}`.
    static func flow(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            let tag = scalar.resolvedTag
            if tag == Resolver.tag(ofPlain: scalar.text), isPlainSafe(scalar.text, flow: true), scalar.style == .plain || tag != Tags.str {
                return scalar.text
            }
            let quoted = doubleQuoted(scalar.text)
            return tag == Tags.str ? quoted : (tagText(tag, default: "") ?? "") + " " + quoted
        case .sequence(let seq):
            let tag = tagText(seq.tag, default: Tags.seq).map { $0 + " " } ?? ""
            return tag + "[" + seq.map(flow).joined(separator: ", ") + "]"
        case .mapping(let map):
            let tag = tagText(map.tag, default: Tags.map).map { $0 + " " } ?? ""
            return tag + "{" + map.map { flow($0.key) + ": " + flow($0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// `!!x` for the core schema's tags, `!x` as is, `!<uri>` for the rest; nil for `default` or none.
    static func tagText(_ tag: String?, default: String) -> String? {
        guard let tag, tag != `default` else { return nil }
        if tag.hasPrefix("tag:yaml.org,2002:") { return "!!" + tag.dropFirst("tag:yaml.org,2002:".count) }
        if tag.hasPrefix("!") { return tag }
        return "!<" + tag + ">"
    }

    /// YAML 1.1's one-letter booleans: PyYAML reads them as strings, but other YAML 1.1 readers do not.
    static let ambiguousWords: Set<String> = ["y", "Y", "n", "N"]

    /// Whether `text` reads back as itself when written plain (its type is checked apart).
    static func isPlainSafe(_ text: String, flow: Bool) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if "-?:,[]{}#&*!|>'\"%@` \t".unicodeScalars.contains(first) || last == " " || last == "\t" { return false }
        if ambiguousWords.contains(text) || text.hasPrefix("---") || text.hasPrefix("...") { return false }
        if text.contains(": ") || text.contains(" #") || text.contains("\t#") || text.hasSuffix(":") { return false }
        if flow && text.unicodeScalars.contains(where: { ",[]{}".unicodeScalars.contains($0) || $0 == ":" }) { return false }
        return text.unicodeScalars.allSatisfy { isPrintable($0) && $0 != "\t" && $0 != "\n" && $0 != "\u{85}" && $0 != "\u{FEFF}" }
    }

    /// Characters PyYAML's reader accepts in a document as they are.
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09, 0x0A, 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF:
            return c.value != 0xFEFF && c.value != 0x2028 && c.value != 0x2029
        default:
            return false
        }
    }

    /// The quoted or block style `text` can take, `preferred` where possible.
    static func quotedStyle(_ text: String, preferred: ScalarStyle) -> ScalarStyle {
        if text.contains("\n") {
            return (preferred == .literal || preferred == .folded) && isLiteralSafe(text) ? .literal : .doubleQuoted
        }
        let singleOK = text.unicodeScalars.allSatisfy { isPrintable($0) && $0 != "\t" && $0 != "\u{85}" }
        return preferred != .doubleQuoted && singleOK ? .singleQuoted : .doubleQuoted
    }

    static func isLiteralSafe(_ text: String) -> Bool {
        // The first line with text sets the indentation when reading back, so it must not start with a space.
        guard let firstText = text.split(separator: "\n", omittingEmptySubsequences: true).first,
              !firstText.hasPrefix(" "), !firstText.hasPrefix("\t") else { return false }
        return text.unicodeScalars.allSatisfy { isPrintable($0) && $0 != "\u{85}" && $0 != "\r" }
    }

    static func singleQuoted(_ text: String) -> String {
        "'" + text.replacing("'", with: "''") + "'"
    }

    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            case "\u{7}": out += "\\a"
            case "\u{8}": out += "\\b"
            case "\u{B}": out += "\\v"
            case "\u{C}": out += "\\f"
            case "\u{1B}": out += "\\e"
            case "\u{85}": out += "\\N"
            case "\u{2028}": out += "\\L"
            case "\u{2029}": out += "\\P"
            default:
                if isPrintable(c) {
                    out.unicodeScalars.append(c)
                } else if c.value <= 0xFF {
                    out += "\\x" + hex(c.value, digits: 2)
                } else if c.value <= 0xFFFF {
                    out += "\\u" + hex(c.value, digits: 4)
                } else {
                    out += "\\U" + hex(c.value, digits: 8)
                }
            }
        }
        return out + "\""
    }

    static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// `|`, `|-` or `|+` by the trailing line breaks, then each line at `indent`.
    static func literal(_ text: String, indent: Int) -> String {
        var body = Substring(text)
        var trailing = 0
        while body.hasSuffix("\n") {
            body = body.dropLast()
            trailing += 1
        }
        let header = trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+"
        var out = header + "\n"
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            out += line.isEmpty ? "\n" : spaces(indent) + line + "\n"
        }
        out += String(repeating: "\n", count: max(0, trailing - 1))
        return out
    }
}
