/// Reads XML text into an ``XMLTree/Element``.
///
/// The reader is written in Swift for the XML libvirt writes and people hand to it, and
/// needs nothing from Foundation: linking Foundation proper (and FoundationXML with it)
/// costs every vmctl process milliseconds and megabytes at start-up.
///
/// It checks well-formedness as XML 1.0 and Namespaces in XML define it, and reads:
/// - an XML declaration at the very start (`version` 1.x; `encoding` UTF-8 or ASCII,
///   since the text is already decoded) and one UTF-8 byte-order mark before it;
/// - comments (kept inside the root element), processing instructions (skipped),
///   CDATA sections (read as text);
/// - the five predefined entities and decimal or hex character references;
/// - attributes in `'` or `"`, in document order, with XML's attribute-value
///   normalisation (a literal tab or line break reads as a space);
/// - prefixed names (`vmctl:meta`) whose prefix is declared by `xmlns:p` on the element
///   or an ancestor; `xmlns` declarations are kept as ordinary attributes.
///
/// Line breaks (`\r\n`, `\r`) read as `\n`, as XML requires. Whitespace-only text
/// between child elements (indentation) is dropped; other text is kept exactly.
///
/// Hostile input is refused: documents larger than ``maximumBytes``, nesting deeper than
/// ``maximumDepth``, and any DOCTYPE that could declare something (an internal subset
/// or an external DTD): entity declarations are how billion-laughs and external-entity
/// attacks work, and libvirt's documents never need one. A bare `<!DOCTYPE name>` can
/// declare nothing, so it is read and ignored, as libvirt's own parser does.
///
/// Every error is a ``ModelError`` whose field is `xml` and whose rule is one line that
/// starts with the line and column: `line 3, column 14: end tag </nam> does not match <name> (line 3, column 5)`.
public enum XMLReader {
    /// The largest document accepted, in bytes of UTF-8.
    public static let maximumBytes = 16 * 1024 * 1024
    /// The deepest element nesting accepted.
    public static let maximumDepth = 128

    /// Parses `text` into a tree. Whitespace-only text between elements (indentation) is dropped.
    public static func parse(_ text: String) throws -> XMLTree.Element {
        if text.utf8.count > maximumBytes {
            throw ModelError(field: "xml", rule: "document is larger than \(maximumBytes) bytes")
        }
        var reader = try DocumentReader(Array(text.utf8))
        return try reader.readDocument()
    }
}

// MARK: - The reader

/// Reads one document from its UTF-8 bytes, keeping an explicit stack of open elements
/// (no recursion, so deep input cannot exhaust the call stack).
private struct DocumentReader {
    /// An element whose end tag has not been read yet.
    private struct OpenElement {
        var element: XMLTree.Element
        /// Offset of its `<`, for errors that point back at it.
        var start: Int
        /// Namespace prefixes its own `xmlns:p` attributes declare.
        var declaredPrefixes: Set<String>
    }

    private let bytes: [UInt8]
    private var position = 0
    private var open: [OpenElement] = []
    private var root: XMLTree.Element?
    /// Character data read since the last element, end tag or comment; CDATA,
    /// references and skipped processing instructions continue it.
    private var pendingText: [UInt8] = []

    init(_ input: [UInt8]) throws {
        bytes = Self.normalizingLineBreaks(input)
        if let bad = Self.firstForbiddenCharacter(bytes) {
            throw Self.failure(in: bytes, at: bad.offset, "U+\(TextRule.hex4(bad.scalar)) is a character XML 1.0 does not allow")
        }
    }

    mutating func readDocument() throws -> XMLTree.Element {
        if starts(with: Self.byteOrderMark) { position += Self.byteOrderMark.count }
        if starts(with: "<?xml"), position + 5 < bytes.count, isSpace(bytes[position + 5]) {
            try readDeclaration()
        }
        var sawDoctype = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == ascii("<") {
                if starts(with: "</") {
                    try readEndTag()
                } else if starts(with: "<!--") {
                    try readComment()
                } else if starts(with: "<![CDATA[") {
                    try readCDATA()
                } else if starts(with: "<!DOCTYPE") {
                    try readDoctype(alreadySeen: sawDoctype)
                    sawDoctype = true
                } else if starts(with: "<!") {
                    throw refusedDeclaration()
                } else if starts(with: "<?") {
                    try skipProcessingInstruction()
                } else {
                    try readStartTag()
                }
            } else if open.isEmpty {
                try skipWhitespaceOutsideRoot()
            } else if byte == ascii("&") {
                let scalar = try readReference()
                Self.appendUTF8(scalar, to: &pendingText)
            } else {
                try readCharacterData()
            }
        }
        if let unclosed = open.last {
            throw failure(at: bytes.count, "the document ends inside <\(unclosed.element.name)> (\(location(unclosed.start))), which is not closed")
        }
        guard let root else {
            throw failure(at: bytes.count, "the document has no root element")
        }
        return root
    }

    // MARK: Elements

    private mutating func readStartTag() throws {
        let start = position
        position += 1
        if open.isEmpty && root != nil {
            throw failure(at: start, "content after the root element: a second element is not allowed")
        }
        if open.count >= XMLReader.maximumDepth {
            throw failure(at: start, "elements are nested deeper than \(XMLReader.maximumDepth) levels")
        }
        let name = try readQualifiedName(what: "an element name after '<'")
        var attributes: [XMLTree.Attribute] = []
        // Past a few attributes the duplicate check is hashed, so that very many cannot make it quadratic.
        var attributeNames: Set<String> = []
        let hashedFrom = 16
        var firstQuote: UInt8?
        var selfClosing = false
        while true {
            let hadSpace = skipSpaces()
            guard position < bytes.count else {
                throw failure(at: position, "the document ends inside the start tag <\(name)>")
            }
            if bytes[position] == ascii(">") {
                position += 1
                break
            }
            if starts(with: "/>") {
                position += 2
                selfClosing = true
                break
            }
            guard hadSpace else {
                throw failure(at: position, "expected a space, '>' or '/>' in the start tag <\(name)>, found \(describeByte(at: position))")
            }
            let attributeStart = position
            let attributeName = try readQualifiedName(what: "an attribute name, '>' or '/>' in the start tag <\(name)>")
            skipSpaces()
            guard position < bytes.count, bytes[position] == ascii("=") else {
                throw failure(at: position, "expected '=' after the attribute \(attributeName) of <\(name)>")
            }
            position += 1
            skipSpaces()
            guard position < bytes.count, bytes[position] == ascii("'") || bytes[position] == ascii("\"") else {
                throw failure(at: position, "the value of the attribute \(attributeName) of <\(name)> must be in ' or \" quotes")
            }
            if firstQuote == nil { firstQuote = bytes[position] }
            let value = try readAttributeValue(attributeName)
            if attributes.count == hashedFrom { attributeNames = Set(attributes.map(\.name)) }
            let isDuplicate =
                attributes.count < hashedFrom
                ? attributes.contains { $0.name == attributeName } : !attributeNames.insert(attributeName).inserted
            if isDuplicate {
                throw failure(at: attributeStart, "the attribute \(attributeName) appears twice in <\(name)>")
            }
            attributes.append(XMLTree.Attribute(name: attributeName, value: value))
        }
        let declared = try declaredPrefixes(attributes, element: name, at: start)
        try checkPrefix(of: name, element: name, declaredHere: declared, at: start)
        for attribute in attributes where !attribute.name.hasPrefix("xmlns:") {
            try checkPrefix(of: attribute.name, element: name, declaredHere: declared, at: start)
        }
        flushText()
        // Quoting tells whose writer printed the element; an element without attributes
        // cannot tell, so it takes its parent's style.
        let style: XMLTree.Style =
            if let firstQuote { firstQuote == ascii("\"") ? .libxml2 : .libvirt } else { open.last?.element.style ?? .libvirt }
        open.append(OpenElement(element: XMLTree.Element(name, attributes: attributes, style: style), start: start, declaredPrefixes: declared))
        if selfClosing { closeElement() }
    }

    private mutating func readEndTag() throws {
        let start = position
        position += 2
        let name = try readQualifiedName(what: "an element name after '</'")
        skipSpaces()
        guard position < bytes.count, bytes[position] == ascii(">") else {
            throw failure(at: position, "expected '>' to end the end tag </\(name)>, found \(describeByte(at: position))")
        }
        position += 1
        guard let current = open.last else {
            throw failure(at: start, "end tag </\(name)> has no matching start tag")
        }
        guard current.element.name == name else {
            throw failure(at: start, "end tag </\(name)> does not match <\(current.element.name)> (\(location(current.start)))")
        }
        closeElement()
    }

    /// Ends the innermost open element and hands it to its parent (or makes it the root).
    private mutating func closeElement() {
        flushText()
        let element = Self.droppingFormatting(open.removeLast().element)
        if open.isEmpty {
            root = element
        } else {
            open[open.count - 1].element.children.append(.element(element))
        }
    }

    private mutating func flushText() {
        guard !pendingText.isEmpty else { return }
        if !open.isEmpty {
            open[open.count - 1].element.children.append(.text(String(decoding: pendingText, as: UTF8.self)))
        }
        pendingText.removeAll(keepingCapacity: true)
    }

    /// Indentation between elements is formatting, not content: whitespace-only text goes
    /// when the element also holds elements, or holds nothing but comments besides it.
    private static func droppingFormatting(_ element: XMLTree.Element) -> XMLTree.Element {
        var hasElements = false
        var hasComments = false
        var textIsBlank = true
        for child in element.children {
            switch child {
            case .element: hasElements = true
            case .comment: hasComments = true
            case .text(let text):
                if !text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) { textIsBlank = false }
            }
        }
        guard textIsBlank, hasElements || hasComments else { return element }
        var result = element
        result.children.removeAll {
            if case .text = $0 { return true }
            return false
        }
        return result
    }

    // MARK: Names and namespaces

    /// Reads a name that is a qualified name: one name, or two joined by a single `:`.
    private mutating func readQualifiedName(what expected: String) throws -> String {
        let start = position
        guard position < bytes.count, let first = scalar(at: position), Self.isNameStart(first.value) else {
            throw failure(at: position, "expected \(expected), found \(describeByte(at: position))")
        }
        var colons = 0
        var lastColon = start
        if bytes[start] == ascii(":") { colons = 2 }  // no empty prefix
        position += first.length
        while position < bytes.count, let next = scalar(at: position), Self.isNameCharacter(next.value) {
            if bytes[position] == ascii(":") {
                colons += 1
                lastColon = position
            }
            position += next.length
        }
        let name = String(decoding: bytes[start..<position], as: UTF8.self)
        // A local part after the colon must itself start like a name (not with a digit, '-', '.' or ':').
        let localPartIsName =
            colons == 0
            || (lastColon + 1 < position && scalar(at: lastColon + 1).map { Self.isNameStart($0.value) } == true
                && bytes[lastColon + 1] != ascii(":"))
        guard colons <= 1, localPartIsName else {
            throw failure(at: start, "\(name) is not a qualified name: at most one ':', between two names")
        }
        return name
    }

    /// The prefixes an element's `xmlns:p` attributes declare.
    private func declaredPrefixes(_ attributes: [XMLTree.Attribute], element: String, at offset: Int) throws -> Set<String> {
        var prefixes: Set<String> = []
        for attribute in attributes where attribute.name.hasPrefix("xmlns:") {
            let prefix = String(attribute.name.dropFirst("xmlns:".count))
            if attribute.value.isEmpty {
                throw failure(at: offset, "\(attribute.name) in <\(element)> is empty: a prefix must be bound to a namespace name")
            }
            prefixes.insert(prefix)
        }
        return prefixes
    }

    /// Throws unless the prefix of `name`, if any, is declared on this element or an open ancestor.
    private func checkPrefix(of name: String, element: String, declaredHere: Set<String>, at offset: Int) throws {
        guard let colon = name.utf8.firstIndex(of: UInt8(ascii: ":")) else { return }
        let prefix = String(name[..<colon])
        // `xml` is bound by definition; `xmlns` only ever declares.
        if prefix == "xml" || prefix == "xmlns" { return }
        if declaredHere.contains(prefix) || open.contains(where: { $0.declaredPrefixes.contains(prefix) }) { return }
        let subject = name == element ? "<\(element)>" : "\(name) in <\(element)>"
        throw failure(at: offset, "the namespace prefix \(prefix) of \(subject) is not declared (xmlns:\(prefix)='…')")
    }

    private static func isNameStart(_ v: UInt32) -> Bool {
        switch v {
        case 0x41...0x5A, 0x61...0x7A, 0x5F, 0x3A: true  // A-Z a-z _ :
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF, 0x200C...0x200D,
            0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD, 0x10000...0xEFFFF:
            true
        default: false
        }
    }

    private static func isNameCharacter(_ v: UInt32) -> Bool {
        switch v {
        case 0x2D, 0x2E, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: true  // - . 0-9 and combining marks
        default: isNameStart(v)
        }
    }

    // MARK: Text, references, attribute values

    private mutating func readCharacterData() throws {
        let start = position
        while position < bytes.count, bytes[position] != ascii("<"), bytes[position] != ascii("&") {
            if bytes[position] == ascii("]"), starts(with: "]]>") {
                throw failure(at: position, "']]>' is not allowed in text (write ]]&gt;)")
            }
            position += 1
        }
        pendingText.append(contentsOf: bytes[start..<position])
    }

    /// Outside the root element only whitespace, comments and processing instructions may appear.
    private mutating func skipWhitespaceOutsideRoot() throws {
        skipSpaces()
        guard position < bytes.count, bytes[position] != ascii("<") else { return }
        let place = root == nil ? "before the root element" : "after the root element"
        throw failure(at: position, "content \(place): text is not allowed outside the root element, found \(describeByte(at: position))")
    }

    /// Reads `&name;`, `&#NNN;` or `&#xHHH;` at `position` and returns the character it stands for.
    private mutating func readReference() throws -> Unicode.Scalar {
        let start = position
        position += 1
        if position < bytes.count, bytes[position] == ascii("#") {
            position += 1
            let hex = position < bytes.count && bytes[position] == ascii("x")
            if hex { position += 1 }
            let digitsStart = position
            var value: UInt32 = 0
            while position < bytes.count, let digit = Self.digitValue(bytes[position], hex: hex) {
                // Past U+10FFFF the value is invalid anyway; stop growing it so it cannot overflow.
                value = min(value * (hex ? 16 : 10) + digit, 0x11_0000)
                position += 1
            }
            guard position > digitsStart, position < bytes.count, bytes[position] == ascii(";") else {
                throw failure(at: start, "a character reference is written &#digits; or &#xhex-digits;")
            }
            position += 1
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            guard let scalar = Unicode.Scalar(value), Self.isCharacter(scalar.value) else {
                throw failure(at: start, "\(text) is not a character XML 1.0 allows")
            }
            return scalar
        }
        let nameStart = position
        while position < bytes.count, let next = scalar(at: position), Self.isNameCharacter(next.value) {
            position += next.length
        }
        guard position > nameStart, position < bytes.count, bytes[position] == ascii(";") else {
            throw failure(at: start, "'&' must start an entity or character reference (write &amp; for '&')")
        }
        let name = String(decoding: bytes[nameStart..<position], as: UTF8.self)
        position += 1
        switch name {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "apos": return "'"
        case "quot": return "\""
        default:
            throw failure(at: start, "unknown entity &\(name);: only &lt; &gt; &amp; &apos; &quot; and character references are read")
        }
    }

    /// Reads a quoted attribute value, resolving references and normalising literal whitespace to spaces.
    private mutating func readAttributeValue(_ attribute: String) throws -> String {
        let quote = bytes[position]
        let start = position
        position += 1
        var value: [UInt8] = []
        while true {
            guard position < bytes.count else {
                throw failure(at: start, "the value of the attribute \(attribute) is not closed")
            }
            let byte = bytes[position]
            switch byte {
            case quote:
                position += 1
                return String(decoding: value, as: UTF8.self)
            case ascii("<"):
                throw failure(at: position, "'<' is not allowed in the value of the attribute \(attribute) (write &lt;)")
            case ascii("&"):
                let scalar = try readReference()
                Self.appendUTF8(scalar, to: &value)
            case 0x09, 0x0A, 0x0D:
                // XML's attribute-value normalisation; a character reference (&#10;) keeps the character.
                value.append(0x20)
                position += 1
            default:
                value.append(byte)
                position += 1
            }
        }
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to buffer: inout [UInt8]) {
        UTF8.encode(scalar) { buffer.append($0) }
    }

    private static func digitValue(_ byte: UInt8, hex: Bool) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte - 0x30)
        case 0x61...0x66 where hex: UInt32(byte - 0x61 + 10)
        case 0x41...0x46 where hex: UInt32(byte - 0x41 + 10)
        default: nil
        }
    }

    /// XML 1.0's Char: tab, line feed, carriage return, and U+0020 upwards except surrogates, U+FFFE, U+FFFF.
    private static func isCharacter(_ v: UInt32) -> Bool {
        switch v {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    // MARK: Comments, CDATA, processing instructions, declarations

    private mutating func readComment() throws {
        let start = position
        position += 4
        let bodyStart = position
        while true {
            guard position + 1 < bytes.count else {
                throw failure(at: start, "the comment is not closed (missing -->)")
            }
            if bytes[position] == ascii("-") && bytes[position + 1] == ascii("-") {
                guard position + 2 < bytes.count, bytes[position + 2] == ascii(">") else {
                    throw failure(at: position, "'--' is not allowed inside a comment")
                }
                break
            }
            position += 1
        }
        let body = String(decoding: bytes[bodyStart..<position], as: UTF8.self)
        position += 3
        guard !open.isEmpty else { return }  // comments outside the root have nowhere to go
        flushText()
        open[open.count - 1].element.children.append(.comment(body))
    }

    private mutating func readCDATA() throws {
        let start = position
        guard !open.isEmpty else {
            throw failure(at: start, "a CDATA section is not allowed outside the root element")
        }
        position += 9
        guard let end = firstOffset(of: "]]>", from: position) else {
            throw failure(at: start, "the CDATA section is not closed (missing ]]>)")
        }
        pendingText.append(contentsOf: bytes[position..<end])
        position = end + 3
    }

    /// Skips `<?target …?>`. Processing instructions carry nothing the models read.
    private mutating func skipProcessingInstruction() throws {
        let start = position
        position += 2
        let target = try readQualifiedName(what: "a processing instruction target after '<?'")
        if target.lowercased() == "xml" {
            throw failure(at: start, "an XML declaration is allowed only at the very start of the document")
        }
        guard let end = firstOffset(of: "?>", from: position) else {
            throw failure(at: start, "the processing instruction <?\(target) is not closed (missing ?>)")
        }
        if end > position && !isSpace(bytes[position]) {
            throw failure(at: position, "expected a space or '?>' after the processing instruction target \(target)")
        }
        position = end + 2
    }

    /// Reads `<?xml version='1.x' encoding='UTF-8' standalone='yes|no'?>`.
    private mutating func readDeclaration() throws {
        let start = position
        position += 5
        var seen: [String] = []
        while true {
            let hadSpace = skipSpaces()
            if starts(with: "?>") {
                position += 2
                break
            }
            guard position < bytes.count else {
                throw failure(at: start, "the XML declaration is not closed (missing ?>)")
            }
            guard hadSpace else {
                throw failure(at: position, "expected a space or '?>' in the XML declaration, found \(describeByte(at: position))")
            }
            let nameStart = position
            while position < bytes.count, Self.isASCIILetter(bytes[position]) { position += 1 }
            let name = String(decoding: bytes[nameStart..<position], as: UTF8.self)
            let order = ["version", "encoding", "standalone"]
            let rank = order.firstIndex(of: name) ?? -1
            let previous = seen.last.flatMap { order.firstIndex(of: $0) } ?? -1
            guard rank > previous, seen.isEmpty == (name == "version") else {
                throw failure(at: nameStart, "the XML declaration takes version, then optionally encoding and standalone, in that order")
            }
            skipSpaces()
            guard position < bytes.count, bytes[position] == ascii("=") else {
                throw failure(at: position, "expected '=' after \(name) in the XML declaration")
            }
            position += 1
            skipSpaces()
            guard position < bytes.count, bytes[position] == ascii("'") || bytes[position] == ascii("\""),
                let end = bytes[(position + 1)...].firstIndex(of: bytes[position])
            else {
                throw failure(at: position, "the \(name) in the XML declaration must be in ' or \" quotes")
            }
            let value = String(decoding: bytes[(position + 1)..<end], as: UTF8.self)
            try checkDeclared(name, value, at: position)
            position = end + 1
            seen.append(name)
        }
        if seen.isEmpty {
            throw failure(at: start, "the XML declaration needs a version ('1.0')")
        }
    }

    private func checkDeclared(_ name: String, _ value: String, at offset: Int) throws {
        switch name {
        case "version":
            let minor = value.hasPrefix("1.") ? value.dropFirst(2) : ""
            guard !minor.isEmpty, minor.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw failure(at: offset, "XML version \(ModelError.quote(value)) is not 1.x")
            }
        case "encoding":
            // The text is already decoded; any other declared encoding would misdescribe it.
            guard ["utf-8", "utf8", "us-ascii", "ascii"].contains(value.lowercased()) else {
                throw failure(at: offset, "encoding \(ModelError.quote(value)) is not read: documents are read as UTF-8")
            }
        default:
            guard value == "yes" || value == "no" else {
                throw failure(at: offset, "standalone must be 'yes' or 'no'")
            }
        }
    }

    /// Reads a bare `<!DOCTYPE name>`; refuses one with an external ID or an internal subset.
    private mutating func readDoctype(alreadySeen: Bool) throws {
        let start = position
        guard open.isEmpty, root == nil, !alreadySeen else {
            throw failure(at: start, "a DOCTYPE is allowed only once, before the root element")
        }
        position += "<!DOCTYPE".utf8.count
        guard skipSpaces() else {
            throw failure(at: position, "expected a space and the root element's name after <!DOCTYPE")
        }
        _ = try readQualifiedName(what: "the root element's name after <!DOCTYPE")
        skipSpaces()
        guard position < bytes.count, bytes[position] == ascii(">") else {
            throw failure(
                at: start,
                "DOCTYPE declarations with an internal subset or an external DTD are not accepted: their entity declarations could expand without bound or read files")
        }
        position += 1
    }

    /// `<!ENTITY`, `<!ELEMENT` and the like belong in a DOCTYPE's internal subset, which is refused.
    private func refusedDeclaration() -> ModelError {
        var end = position + 2
        while end < bytes.count, Self.isASCIILetter(bytes[end]), end - position < 12 { end += 1 }
        let word = String(decoding: bytes[(position + 2)..<end], as: UTF8.self)
        let markup = word.isEmpty ? "'<!'" : "<!\(word)"
        return failure(at: position, "\(markup) is not accepted: DOCTYPE, ENTITY and other markup declarations could expand without bound or read files")
    }

    // MARK: Bytes

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    private func ascii(_ character: Unicode.Scalar) -> UInt8 { UInt8(ascii: character) }
    private static func isASCIILetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
    private func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// Skips XML whitespace; returns whether there was any.
    @discardableResult
    private mutating func skipSpaces() -> Bool {
        let start = position
        while position < bytes.count, isSpace(bytes[position]) { position += 1 }
        return position > start
    }

    /// Whether the bytes at `position` spell `literal`. A `StaticString`, so checking costs no allocation.
    private func starts(with literal: StaticString) -> Bool {
        matches(literal, at: position)
    }

    private func matches(_ literal: StaticString, at offset: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        let pointer = literal.utf8Start
        for index in 0..<count where bytes[offset + index] != pointer[index] { return false }
        return true
    }

    private func starts(with prefix: [UInt8]) -> Bool {
        guard position + prefix.count <= bytes.count else { return false }
        for (index, byte) in prefix.enumerated() where bytes[position + index] != byte { return false }
        return true
    }

    private func firstOffset(of literal: StaticString, from start: Int) -> Int? {
        let first = literal.utf8Start.pointee
        var index = start
        while index < bytes.count {
            if bytes[index] == first, matches(literal, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// Decodes the scalar starting at `offset`. The bytes come from a `String`, so they are valid UTF-8.
    private func scalar(at offset: Int) -> (value: UInt32, length: Int)? {
        let lead = bytes[offset]
        let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        guard offset + length <= bytes.count else { return nil }
        if length == 1 { return (UInt32(lead), 1) }
        var value = UInt32(lead) & (0xFF >> (length + 1))
        for index in 1..<length { value = value << 6 | UInt32(bytes[offset + index] & 0x3F) }
        return (value, length)
    }

    /// The character at `offset` for an error message: `'x'`, `U+0009`, or "the end of the document".
    private func describeByte(at offset: Int) -> String {
        guard offset < bytes.count, let decoded = scalar(at: offset), let scalar = Unicode.Scalar(decoded.value) else {
            return "the end of the document"
        }
        // Invisible characters are named by code point.
        let category = scalar.properties.generalCategory
        if scalar.properties.isWhitespace || category == .control || category == .format {
            return "U+\(TextRule.hex4(scalar.value))"
        }
        return "'\(Character(scalar))'"
    }

    // MARK: Errors

    private func failure(at offset: Int, _ what: String) -> ModelError {
        Self.failure(in: bytes, at: offset, what)
    }

    private static func failure(in bytes: [UInt8], at offset: Int, _ what: String) -> ModelError {
        ModelError(field: "xml", rule: "\(location(in: bytes, at: offset)): \(what)")
    }

    /// `line L, column C`, both from 1, counting characters rather than bytes.
    private static func location(in bytes: [UInt8], at offset: Int) -> String {
        var line = 1
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return "line \(line), column \(column)"
    }

    /// Where an earlier construct started, for messages that point back at it.
    private func location(_ offset: Int) -> String { Self.location(in: bytes, at: offset) }

    // MARK: Input checks

    /// XML reads `\r\n` and a lone `\r` as `\n`, before anything else.
    private static func normalizingLineBreaks(_ input: [UInt8]) -> [UInt8] {
        guard input.contains(0x0D) else { return input }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if input[index] == 0x0D {
                output.append(0x0A)
                if index + 1 < input.count, input[index + 1] == 0x0A { index += 1 }
            } else {
                output.append(input[index])
            }
            index += 1
        }
        return output
    }

    /// The first control character (other than tab and line feed), U+FFFE or U+FFFF, which no part of a document may hold.
    private static func firstForbiddenCharacter(_ bytes: [UInt8]) -> (offset: Int, scalar: UInt32)? {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 && byte != 0x09 && byte != 0x0A { return (index, UInt32(byte)) }
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
            if byte == 0xEF, index + 2 < bytes.count, bytes[index + 1] == 0xBF, bytes[index + 2] >= 0xBE {
                return (index, bytes[index + 2] == 0xBE ? 0xFFFE : 0xFFFF)
            }
            index += 1
        }
        return nil
    }
}
