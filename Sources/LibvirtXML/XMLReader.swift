import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads XML text into an ``XMLTree/Element`` with Foundation's `XMLParser`.
///
/// Hostile input is refused before and during parsing: documents with a DOCTYPE or
/// entity declaration, documents larger than ``maximumBytes``, nesting deeper than
/// ``maximumDepth``. External entities are never resolved. Malformed or truncated
/// XML throws a ``ModelError`` whose field is `xml`.
public enum XMLReader {
    /// The largest document accepted, in bytes of UTF-8.
    public static let maximumBytes = 16 * 1024 * 1024
    /// The deepest element nesting accepted.
    public static let maximumDepth = 128

    /// Parses `text` into a tree. Whitespace-only text between elements (indentation) is dropped.
    public static func parse(_ text: String) throws -> XMLTree.Element {
        let bytes = Array(text.utf8)
        if bytes.count > maximumBytes {
            throw ModelError(field: "xml", rule: "document is larger than \(maximumBytes) bytes")
        }
        if let declaration = findDeclaration(bytes) {
            throw ModelError(field: "xml", rule: "\(declaration) declarations are not accepted")
        }
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.delegate = builder
        let ok = parser.parse()
        if let failure = builder.failure {
            throw ModelError(field: "xml", rule: failure)
        }
        if !ok || parser.parserError != nil {
            let code = (parser.parserError as NSError?)?.code ?? -1
            throw ModelError(
                field: "xml",
                rule: "malformed XML near line \(parser.lineNumber), column \(parser.columnNumber) (parser error \(code))")
        }
        guard builder.stack.isEmpty, let root = builder.root else {
            throw ModelError(field: "xml", rule: "document is incomplete: no complete root element")
        }
        if builder.extraRoot {
            throw ModelError(field: "xml", rule: "content after the root element")
        }
        // XMLParser reports attributes as a dictionary; recover their order and quoting from the text.
        let tags = StartTagLexer(bytes).startTags()
        var index = 0
        return applyOrder(root, tags: tags, index: &index, parentStyle: .libvirt)
    }

    /// Returns "DOCTYPE" or "ENTITY" etc. if the text holds a markup declaration (`<!` not opening a comment or CDATA).
    static func findDeclaration(_ bytes: [UInt8]) -> String? {
        var i = 0
        let n = bytes.count
        while i + 1 < n {
            if bytes[i] == UInt8(ascii: "<") && bytes[i + 1] == UInt8(ascii: "!") {
                let rest = bytes[(i + 2)..<min(n, i + 10)]
                if rest.starts(with: Array("--".utf8)) || rest.starts(with: Array("[CDATA[".utf8)) {
                    i += 2
                    continue
                }
                let word = String(decoding: rest.prefix { $0 >= 65 && $0 <= 90 || $0 >= 97 && $0 <= 122 }, as: UTF8.self)
                return word.isEmpty ? "markup" : word.uppercased()
            }
            i += 1
        }
        return nil
    }

    private static func applyOrder(
        _ element: XMLTree.Element, tags: [[(name: String, quote: UInt8)]], index: inout Int, parentStyle: XMLTree.Style
    ) -> XMLTree.Element {
        var result = element
        let lexed = index < tags.count ? tags[index] : nil
        index += 1
        if let lexed, lexed.count == element.attributes.count,
            Set(lexed.map(\.name)) == Set(element.attributes.map(\.name))
        {
            result.attributes = lexed.compactMap { tag in element.attributes.first { $0.name == tag.name } }
            if let first = lexed.first {
                result.style = first.quote == UInt8(ascii: "\"") ? .libxml2 : .libvirt
            } else {
                result.style = parentStyle
            }
        } else {
            result.attributes.sort { $0.name < $1.name }
            result.style = parentStyle
        }
        result.children = element.children.map { node in
            if case .element(let child) = node {
                return .element(applyOrder(child, tags: tags, index: &index, parentStyle: result.style))
            }
            return node
        }
        return result
    }
}

/// Builds the tree from XMLParser events, enforcing the depth limit.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLTree.Element] = []
    var root: XMLTree.Element?
    var extraRoot = false
    var failure: String?
    private var pendingText = ""

    private func flushText() {
        guard !pendingText.isEmpty else { return }
        if !stack.isEmpty { stack[stack.count - 1].children.append(.text(pendingText)) }
        pendingText = ""
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        flushText()
        if stack.count >= XMLReader.maximumDepth {
            failure = "elements are nested deeper than \(XMLReader.maximumDepth) levels"
            parser.abortParsing()
            return
        }
        if stack.isEmpty && root != nil { extraRoot = true }
        let attributes = attributeDict.map { XMLTree.Attribute(name: $0.key, value: $0.value) }
        stack.append(XMLTree.Element(elementName, attributes: attributes))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        flushText()
        guard var element = stack.popLast() else {
            failure = "unbalanced end tag </\(elementName)>"
            parser.abortParsing()
            return
        }
        // Indentation between elements is formatting, not content.
        let hasElements = element.children.contains {
            if case .element = $0 { return true }
            return false
        }
        let textIsBlank = element.children.allSatisfy {
            if case .text(let t) = $0 { return t.allSatisfy { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r\n" || $0 == "\r" } }
            return true
        }
        if hasElements && textIsBlank {
            element.children.removeAll {
                if case .text = $0 { return true }
                return false
            }
        } else if !hasElements && textIsBlank && element.children.contains(where: { if case .comment = $0 { return true }; return false }) {
            element.children.removeAll {
                if case .text = $0 { return true }
                return false
            }
        }
        if stack.isEmpty {
            if root == nil { root = element } else { extraRoot = true }
        } else {
            stack[stack.count - 1].children.append(.element(element))
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        pendingText += string
    }

    func parser(_ parser: XMLParser, foundIgnorableWhitespace whitespaceString: String) {
        pendingText += whitespaceString
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        pendingText += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, foundComment comment: String) {
        flushText()
        if !stack.isEmpty { stack[stack.count - 1].children.append(.comment(comment)) }
    }

    func parser(_ parser: XMLParser, foundElementDeclarationWithName elementName: String, model: String) {
        refuse(parser)
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        refuse(parser)
    }

    func parser(
        _ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?
    ) {
        refuse(parser)
    }

    private func refuse(_ parser: XMLParser) {
        failure = "DOCTYPE and entity declarations are not accepted"
        parser.abortParsing()
    }
}

/// Finds the start tags of a well-formed document in order, with each attribute's name and quote character.
/// Runs only after XMLParser accepted the document; every index is still bounds-checked.
private struct StartTagLexer {
    let b: [UInt8]
    init(_ bytes: [UInt8]) { b = bytes }

    func startTags() -> [[(name: String, quote: UInt8)]] {
        var result: [[(name: String, quote: UInt8)]] = []
        var i = 0
        let n = b.count
        while i < n {
            guard b[i] == UInt8(ascii: "<"), i + 1 < n else {
                i += 1
                continue
            }
            let next = b[i + 1]
            if next == UInt8(ascii: "!") {
                if matches("<!--", at: i) {
                    i = skip(past: "-->", from: i + 4)
                } else if matches("<![CDATA[", at: i) {
                    i = skip(past: "]]>", from: i + 9)
                } else {
                    i = skip(past: ">", from: i + 2)
                }
            } else if next == UInt8(ascii: "?") {
                i = skip(past: "?>", from: i + 2)
            } else if next == UInt8(ascii: "/") {
                i = skip(past: ">", from: i + 2)
            } else {
                var attributes: [(name: String, quote: UInt8)] = []
                i += 1
                while i < n, !isSpace(b[i]), b[i] != UInt8(ascii: ">"), b[i] != UInt8(ascii: "/") { i += 1 }
                while i < n {
                    while i < n, isSpace(b[i]) { i += 1 }
                    guard i < n else { break }
                    if b[i] == UInt8(ascii: ">") {
                        i += 1
                        break
                    }
                    if b[i] == UInt8(ascii: "/") {
                        i += 1
                        continue
                    }
                    let start = i
                    while i < n, b[i] != UInt8(ascii: "="), !isSpace(b[i]), b[i] != UInt8(ascii: ">") { i += 1 }
                    let name = String(decoding: b[start..<i], as: UTF8.self)
                    while i < n, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "'"), b[i] != UInt8(ascii: ">") { i += 1 }
                    guard i < n, b[i] != UInt8(ascii: ">") else { break }
                    let quote = b[i]
                    i += 1
                    while i < n, b[i] != quote { i += 1 }
                    i += 1
                    attributes.append((name, quote))
                }
                result.append(attributes)
            }
        }
        return result
    }

    private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    private func matches(_ s: String, at i: Int) -> Bool {
        let u = Array(s.utf8)
        return i + u.count <= b.count && Array(b[i..<(i + u.count)]) == u
    }

    private func skip(past s: String, from start: Int) -> Int {
        var i = start
        while i < b.count {
            if matches(s, at: i) { return i + s.utf8.count }
            i += 1
        }
        return b.count
    }
}
