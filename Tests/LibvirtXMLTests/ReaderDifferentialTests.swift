import Foundation
import Testing
@testable import LibvirtXML

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The reader against Foundation's `XMLParser` (libxml2), which vmctl used before:
/// on every XML file under Fixtures/ and on small documents for each construct, both
/// must read the same tree or both must refuse the document.
@Suite("XMLReader against Foundation's XMLParser")
struct ReaderDifferentialTests {
    /// Every `.xml` file under Fixtures/, relative to it.
    static let fixtureFiles: [String] = {
        let root = fixturesURL.deletingLastPathComponent()
        let walker = FileManager.default.enumerator(atPath: root.path)
        var files: [String] = []
        while let path = walker?.nextObject() as? String {
            if path.hasSuffix(".xml") { files.append(path) }
        }
        return files.sorted()
    }()

    @Test("Fixtures/ holds the documents this test compares")
    func fixturesFound() {
        #expect(Self.fixtureFiles.count >= 40, "\(Self.fixtureFiles)")
    }

    @Test("Every XML file under Fixtures/ reads to the same tree", arguments: fixtureFiles)
    func fixtureFile(_ path: String) throws {
        let url = fixturesURL.deletingLastPathComponent().appendingPathComponent(path)
        let text = try String(contentsOf: url, encoding: .utf8)
        let ours = try XMLReader.parse(text)
        let foundation = try #require(FoundationTree.parse(text), "XMLParser refused \(path)")
        #expect(Self.comparable(ours) == foundation)
    }

    @Test("Each construct reads as XMLParser reads it", arguments: [
        "<a/>", "<?xml version='1.0' encoding='UTF-8'?>\n<a>x</a>", "\u{FEFF}<a/>", "<a>\n  <b/>\n</a>",
        "<a> </a>", "<a>\n  <!-- c -->\n</a>", "<a>x<!--c-->y</a>", "<!--c--><a/><!--d-->", "<a>x<?pi d?>y</a>",
        "<a><![CDATA[<&>]]>z</a>", "<a v='&lt;&gt;&amp;&apos;&quot;'>&lt;&gt;&amp;&apos;&quot;</a>",
        "<a v='&#65;&#x42;&#xe9;'>&#233;&#x1F680;&#13;</a>", "<a v='1\t2\n3'/>", "<a v='&#9;&#10;'/>",
        "<a>1\r\n2\r3</a>", "<a z='1' b=\"2\"/>", "<d xmlns:v='urn:v'><v:m v:k='1'/></d>", "<a xmlns='http://example.com/a'><b/></a>",
        "<été clé='日本'>🚀</été>", "<a>x <b/> y</a>", "<a>\u{A0}<b/></a>", "<!DOCTYPE a><a/>", "<a></a\n>", "<xml:a/>",
        "<a xml:lang='en'/>", "<?xml version='1.0' encoding='utf8'?><a/>", "<a p:x='1' xmlns:p='urn:p' q:x='2' xmlns:q='urn:q'/>",
    ])
    func construct(_ text: String) throws {
        let ours = try XMLReader.parse(text)
        #expect(Self.comparable(ours) == FoundationTree.parse(text))
    }

    @Test("Documents XMLParser refuses are refused", arguments: [
        "", "<a>", "<a></b>", "<a/><b/>", "<a/>x", "x<a/>", "<a x='1' x='2'/>", "<a x=1/>", "<a x='<'/>",
        "<a>&foo;</a>", "<a>&#0;</a>", "<a>&#xD800;</a>", "<a>&#x110000;</a>", "<a>\u{1}</a>", "<a:b:c/>",
        "<a><!-- x -- y --></a>", "<a><![CDATA[x]></a>", "<a>x]]>y</a>", "<a x='1'y='2'/>", "\n<?xml version='1.0'?><a/>",
        "<v:m/>", "<a v:k='1'/>", "<p:a xmlns:p=''/>", "<a:/>", "<:a/>", "<p:-a xmlns:p='urn:p'/>", "<a><!x></a>",
        "<a/><!DOCTYPE a>", "<?xml ?><a/>", "<?xml encoding='UTF-8'?><a/>", "<?xml version='2.0'?><a/>", "<a>\u{FFFE}</a>",
        "<a>&#X41;</a>", "<a><!-- x ---></a>", "<a><?XML x?></a>", "<a><?pi?x?></a>",
    ])
    func refused(_ text: String) {
        #expect(FoundationTree.parse(text) == nil, "XMLParser accepted it")
        #expect(throws: ModelError.self) { try XMLReader.parse(text) }
    }

    @Test("Where the reader knowingly differs from XMLParser")
    func knownDifferences() {
        // libxml2 only warns about these, but XMLParser stops at any warning; libvirt reads them.
        for text in ["<a xmlns='relative'/>", "<?xml version='1.1'?><a/>"] {
            #expect(FoundationTree.parse(text) == nil)
            #expect(throws: Never.self) { try XMLReader.parse(text) }
        }
        // XMLParser reads these; the reader refuses them: an external DTD could declare
        // entities, and a String is already decoded, so a declared Latin-1 would misread it.
        for text in ["<!DOCTYPE a SYSTEM 'a.dtd'><a/>", "<?xml version='1.0' encoding='ISO-8859-1'?><a>é</a>"] {
            #expect(FoundationTree.parse(text) != nil)
            #expect(throws: ModelError.self) { try XMLReader.parse(text) }
        }
    }

    @Test("Random byte mutations of each fixture read the same or are refused by both", arguments: fixtureFiles)
    func mutations(_ path: String) throws {
        let url = fixturesURL.deletingLastPathComponent().appendingPathComponent(path)
        let bytes = Array(try String(contentsOf: url, encoding: .utf8).utf8)
        var rng = SplitMix64(seed: 0x5EED_0006 ^ UInt64(bytes.count))
        let alphabet = Array("<>&'\"/=!?[]-;#:x \n\r\t\u{0}".utf8) + [0xC3, 0xFF, 0x80]
        var compared = 0
        for _ in 0..<80 {
            let mutated = rng.mutate(bytes, maximumEdits: 3, alphabet: alphabet)
            let text = String(decoding: mutated, as: UTF8.self)
            let foundation = FoundationTree.parse(text)
            let ours = try? XMLReader.parse(text)
            // The known differences above: a namespace URI made relative by the mutation.
            if foundation == nil, ours != nil, FoundationTree.stoppedAtWarning(text) { continue }
            #expect(ours.map(Self.comparable) == foundation, "\(ModelError.quote(text))")
            compared += 1
        }
        #expect(compared > 60)
    }

    /// The tree as XMLParser can report it: attributes come as a dictionary, so their
    /// order and quoting are unknown. Attributes are sorted by name and style is not compared.
    static func comparable(_ element: XMLTree.Element) -> XMLTree.Element {
        var copy = element
        copy.attributes.sort { $0.name < $1.name }
        copy.style = .libvirt
        copy.children = element.children.map {
            if case .element(let child) = $0 { return .element(comparable(child)) }
            return $0
        }
        return copy
    }
}

/// Builds an `XMLTree` from `XMLParser`'s events the way vmctl's reader did before it
/// was replaced: text joined until an element or comment, whitespace between elements dropped.
private final class FoundationTree: NSObject, XMLParserDelegate {
    private var stack: [XMLTree.Element] = []
    private var root: XMLTree.Element?
    private var pendingText = ""

    /// The tree, or nil if XMLParser refuses the document.
    static func parse(_ text: String) -> XMLTree.Element? {
        let builder = FoundationTree()
        let parser = XMLParser(data: Data(text.utf8))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.delegate = builder
        guard parser.parse(), parser.parserError == nil, builder.stack.isEmpty, let root = builder.root else { return nil }
        return ReaderDifferentialTests.comparable(root)
    }

    /// Whether XMLParser stopped at what libxml2 reports as a warning: a relative namespace
    /// URI (libxml2's code 99/100) or an XML version other than 1.0 (97).
    static func stoppedAtWarning(_ text: String) -> Bool {
        let parser = XMLParser(data: Data(text.utf8))
        parser.shouldResolveExternalEntities = false
        _ = parser.parse()
        return [97, 99, 100].contains((parser.parserError as NSError?)?.code ?? 0)
    }

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
        stack.append(XMLTree.Element(elementName, attributes: attributeDict.map { XMLTree.Attribute(name: $0.key, value: $0.value) }))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        flushText()
        guard var element = stack.popLast() else { return }
        let isBlank = { (node: XMLTree.Node) -> Bool in
            if case .text(let t) = node { return t.allSatisfy { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r\n" || $0 == "\r" } }
            return true
        }
        let hasElements = element.children.contains { if case .element = $0 { true } else { false } }
        let hasComments = element.children.contains { if case .comment = $0 { true } else { false } }
        if element.children.allSatisfy(isBlank) && (hasElements || hasComments) {
            element.children.removeAll { if case .text = $0 { true } else { false } }
        }
        if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(.element(element)) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { pendingText += string }
    func parser(_ parser: XMLParser, foundIgnorableWhitespace whitespaceString: String) { pendingText += whitespaceString }
    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { pendingText += String(decoding: CDATABlock, as: UTF8.self) }

    func parser(_ parser: XMLParser, foundComment comment: String) {
        flushText()
        if !stack.isEmpty { stack[stack.count - 1].children.append(.comment(comment)) }
    }
}
