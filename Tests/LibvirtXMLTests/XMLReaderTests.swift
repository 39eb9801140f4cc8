import Testing
@testable import LibvirtXML

/// The reader on strings: each construct it reads, and each error it reports.
@Suite("XMLReader: constructs and errors")
struct XMLReaderTests {
    /// The rule of the error `text` throws, or nil if it parses.
    func rule(_ text: String) -> String? {
        do {
            _ = try XMLReader.parse(text)
            return nil
        } catch let error as ModelError {
            return error.rule
        } catch {
            return "not a ModelError: \(error)"
        }
    }

    /// Expects `text` to be refused with a one-line rule that starts `line L, column C: ` and contains `expected`.
    func expectRefused(
        _ text: String, at location: (line: Int, column: Int)? = nil, _ expected: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let rule = rule(text) else {
            Issue.record("accepted: \(ModelError.quote(text))", sourceLocation: sourceLocation)
            return
        }
        #expect(!rule.contains("\n") && !rule.contains("\r"), "\(rule)", sourceLocation: sourceLocation)
        #expect(rule.contains(expected), "\(rule)", sourceLocation: sourceLocation)
        if let location {
            #expect(rule.hasPrefix("line \(location.line), column \(location.column): "), "\(rule)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Constructs

    @Test("An XML declaration and a byte-order mark at the start are read", arguments: [
        "<?xml version='1.0'?><a/>", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a/>",
        "<?xml version='1.0' encoding='utf-8' standalone='yes'?><a/>", "<?xml version = '1.1' ?><a/>",
        "\u{FEFF}<a/>", "\u{FEFF}<?xml version='1.0' encoding='UTF-8'?><a/>", "<?xml version='1.0' encoding='US-ASCII'?><a/>",
    ])
    func declaration(_ text: String) throws {
        #expect(try XMLReader.parse(text) == XMLTree.Element("a"))
    }

    @Test("Comments are kept inside the root, split text, and are dropped outside it")
    func comments() throws {
        let tree = try XMLReader.parse("<!-- before --><a>x<!-- in - side -->y<!---->\n</a><!-- after -->")
        #expect(tree.children == [.text("x"), .comment(" in - side "), .text("y"), .comment(""), .text("\n")])
    }

    @Test("Processing instructions are passed over; the text around one stays one text node")
    func processingInstructions() throws {
        let tree = try XMLReader.parse("<?xml-stylesheet href='s.xsl'?><a>x<?vmctl keep ?>y<?empty?></a><?after?>")
        #expect(tree.children == [.text("xy")])
    }

    @Test("CDATA sections read as text, joined with the text around them")
    func cdata() throws {
        let tree = try XMLReader.parse("<a>x<![CDATA[<b>&amp;]]]]><![CDATA[>]]>y<![CDATA[]]></a>")
        #expect(tree.children == [.text("x<b>&amp;]]>y")])
    }

    @Test("The five predefined entities and decimal or hex character references, in text and attributes")
    func characterReferences() throws {
        let tree = try XMLReader.parse("<a v='&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x4a;&#9;&#10;&#13;'>&lt;&gt;&amp;&apos;&quot; &#233;&#x1F680;&#xE9;&#x10FFFF;&#13;</a>")
        #expect(tree.attribute("v") == "<>&'\"ABJ\t\n\r")
        #expect(tree.text == "<>&'\" é🚀é\u{10FFFF}\r")
    }

    @Test("Attributes keep document order, either quote, and the other quote inside")
    func attributes() throws {
        let tree = try XMLReader.parse("<a z='\"' b=\"'\" m = 'x y' a=''/>")
        #expect(tree.attributes.map(\.name) == ["z", "b", "m", "a"])
        #expect(tree.attributes.map(\.value) == ["\"", "'", "x y", ""])
    }

    @Test("Literal tabs and line breaks in attribute values read as spaces; references keep them")
    func attributeNormalisation() throws {
        let tree = try XMLReader.parse("<a v='1\t2\n3\r\n4\r5' w='&#9;&#10;&#13;'/>")
        #expect(tree.attribute("v") == "1 2 3 4 5")
        #expect(tree.attribute("w") == "\t\n\r")
    }

    @Test("Line breaks read as \\n everywhere; a character reference keeps \\r")
    func lineBreaks() throws {
        let tree = try XMLReader.parse("<a>\r\n<b>1\r\n2\r3&#13;</b><!--x\r\ny--><c><![CDATA[\r\n]]></c>\r\n</a>")
        #expect(tree.children == [
            .element(XMLTree.Element("b", children: [.text("1\n2\n3\r")])), .comment("x\ny"),
            .element(XMLTree.Element("c", children: [.text("\n")])),
        ])
    }

    @Test("Prefixed names and namespace declarations read as written")
    func namespaces() throws {
        let text = """
            <domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><metadata>\
            <vmctl:meta xmlns:vmctl="https://vmctl.dev/xml/1" vmctl:lab="l" xml:lang="en"><vmctl:volume/></vmctl:meta>\
            </metadata><qemu:commandline/><x xmlns="urn:default"/></domain>
            """
        let tree = try XMLReader.parse(text)
        #expect(tree.attributes.map(\.name) == ["type", "xmlns:qemu"])
        let meta = try #require(tree.child("metadata")?.child("vmctl:meta"))
        #expect(meta.attributes.map(\.name) == ["xmlns:vmctl", "vmctl:lab", "xml:lang"])
        #expect(meta.child("vmctl:volume") != nil && tree.child("qemu:commandline") != nil)
        #expect(tree.child("x")?.attribute("xmlns") == "urn:default")
    }

    @Test("Non-ASCII names, values and text")
    func unicode() throws {
        let tree = try XMLReader.parse("<été clé='日本'>🚀 e\u{301}<ünï·x/></été>")
        #expect(tree.name == "été" && tree.attribute("clé") == "日本")
        #expect(tree.children == [.text("🚀 e\u{301}"), .element(XMLTree.Element("ünï·x"))])
    }

    @Test("Whitespace: indentation between elements is dropped, other text kept exactly")
    func whitespace() throws {
        #expect(try XMLReader.parse("<a>\n  <b/>\n  <c> </c>\n</a>").children == [
            .element(XMLTree.Element("b")), .element(XMLTree.Element("c", children: [.text(" ")])),
        ])
        #expect(try XMLReader.parse("<a>\n  <!-- c -->\n</a>").children == [.comment(" c ")])
        #expect(try XMLReader.parse("<a>x <b/> y</a>").children == [.text("x "), .element(XMLTree.Element("b")), .text(" y")])
        #expect(try XMLReader.parse("<a>\u{A0}<b/></a>").children.count == 2)
        #expect(try XMLReader.parse("<a>\n</a>").children == [.text("\n")])
        #expect(try XMLReader.parse("\n \t<a/>\n\n").children.isEmpty)
    }

    @Test("Style follows the first attribute's quote; an element without attributes takes its parent's")
    func style() throws {
        let tree = try XMLReader.parse("<a><b x=\"1\" y='2'><c/></b><d x='1' y=\"2\"/><e/></a>")
        #expect(tree.style == .libvirt)
        #expect(tree.elements.map(\.style) == [.libxml2, .libvirt, .libvirt])
        #expect(tree.child("b")?.child("c")?.style == .libxml2)
    }

    @Test("A bare DOCTYPE can declare nothing and is ignored")
    func bareDoctype() throws {
        #expect(try XMLReader.parse("<?xml version='1.0'?>\n<!DOCTYPE domain>\n<domain/>") == XMLTree.Element("domain"))
        #expect(try XMLReader.parse("<!DOCTYPE  vmctl:meta ><vmctl:meta xmlns:vmctl='u'/>").name == "vmctl:meta")
    }

    @Test("Nesting up to the limit reads; one more level is refused")
    func depthLimit() throws {
        let limit = XMLReader.maximumDepth
        let deepest = String(repeating: "<a>", count: limit) + String(repeating: "</a>", count: limit)
        #expect(throws: Never.self) { try XMLReader.parse(deepest) }
        let tooDeep = String(repeating: "<a>", count: limit) + "<b/>" + String(repeating: "</a>", count: limit)
        expectRefused(tooDeep, at: (1, 3 * limit + 1), "nested deeper than \(limit) levels")
    }

    @Test("Many attributes and namespace declarations read (the duplicate check is hashed past a few); a late duplicate is found")
    func manyAttributes() throws {
        let count = 5_000
        let attributes = (0..<count).map { " xmlns:p\($0)='u' p\($0):a='\($0)'" }.joined()
        let tree = try XMLReader.parse("<a\(attributes)/>")
        #expect(tree.attributes.count == 2 * count && tree.attributes.last?.value == String(count - 1))
        expectRefused("<a\(attributes) p0:a='again'/>", "the attribute p0:a appears twice in <a>")
    }

    // MARK: Errors

    @Test("Mismatched and unclosed tags name both ends")
    func tags() throws {
        #expect(try XMLReader.parse("<a></a\n>") == XMLTree.Element("a"))
        expectRefused("<a>\n  <b></c>\n</a>", at: (2, 6), "end tag </c> does not match <b> (line 2, column 3)")
        expectRefused("<a><b>", at: (1, 7), "the document ends inside <b> (line 1, column 4), which is not closed")
        expectRefused("</a>", at: (1, 1), "end tag </a> has no matching start tag")
        expectRefused("<a></a >x</a>", at: (1, 9), "content after the root element")
        expectRefused("<a></a b>", at: (1, 8), "expected '>' to end the end tag </a>")
        expectRefused("<a", at: (1, 3), "ends inside the start tag <a>")
        expectRefused("< a/>", at: (1, 2), "expected an element name after '<', found U+0020")
        expectRefused("<1a/>", at: (1, 2), "expected an element name after '<', found '1'")
    }

    @Test("The document must have exactly one root element and no text outside it")
    func outsideRoot() {
        expectRefused("", at: (1, 1), "no root element")
        expectRefused(" \n ", at: (2, 2), "no root element")
        expectRefused("<!-- only -->", "no root element")
        expectRefused("<a/><b/>", at: (1, 5), "content after the root element: a second element")
        expectRefused("<a/>\nx", at: (2, 1), "content after the root element: text is not allowed outside the root element, found 'x'")
        expectRefused("x<a/>", at: (1, 1), "content before the root element")
        expectRefused("<a/>&amp;", at: (1, 5), "content after the root element")
        expectRefused("<![CDATA[x]]><a/>", at: (1, 1), "CDATA section is not allowed outside the root element")
        expectRefused("\u{FEFF}\u{FEFF}<a/>", "content before the root element")
    }

    @Test("Attribute errors: duplicates, quoting, '<', missing space or '='")
    func attributeErrors() {
        expectRefused("<a x='1' y='2' x='3'/>", at: (1, 16), "the attribute x appears twice in <a>")
        expectRefused("<a x=1/>", at: (1, 6), "must be in ' or \" quotes")
        expectRefused("<a x='1\"/>", at: (1, 6), "the value of the attribute x is not closed")
        expectRefused("<a x='<'/>", at: (1, 7), "'<' is not allowed in the value of the attribute x (write &lt;)")
        expectRefused("<a x='1'y='2'/>", at: (1, 9), "expected a space, '>' or '/>' in the start tag <a>, found 'y'")
        expectRefused("<a x/>", at: (1, 5), "expected '=' after the attribute x of <a>")
        expectRefused("<a x='&'/>", at: (1, 7), "'&' must start an entity or character reference")
    }

    @Test("Unknown entities and invalid character references are refused", arguments: [
        ("<a>&foo;</a>", "unknown entity &foo;"), ("<a>&nbsp;</a>", "unknown entity &nbsp;"),
        ("<a>&amp</a>", "'&' must start"), ("<a>& b</a>", "'&' must start"), ("<a>&#;</a>", "&#digits;"),
        ("<a>&#x;</a>", "&#digits;"), ("<a>&#12a;</a>", "&#digits;"), ("<a>&#X41;</a>", "&#digits;"),
        ("<a>&#0;</a>", "&#0; is not a character XML 1.0 allows"), ("<a>&#x1;</a>", "&#x1; is not"),
        ("<a>&#xD800;</a>", "&#xD800; is not"), ("<a>&#xFFFE;</a>", "&#xFFFE; is not"), ("<a>&#xFFFF;</a>", "is not"),
        ("<a>&#x110000;</a>", "&#x110000; is not"), ("<a>&#99999999999999999999999;</a>", "is not a character"),
    ])
    func badReferences(_ text: String, _ expected: String) {
        expectRefused(text, at: (1, 4), expected)
    }

    @Test("Characters XML cannot carry are refused wherever they appear")
    func forbiddenCharacters() {
        expectRefused("<a>\u{1}</a>", at: (1, 4), "U+0001 is a character XML 1.0 does not allow")
        expectRefused("<a x='\u{0}'/>", at: (1, 7), "U+0000")
        expectRefused("<a>\n<!-- \u{1B} --></a>", at: (2, 6), "U+001B")
        expectRefused("<a>é\u{FFFE}</a>", at: (1, 5), "U+FFFE")
        expectRefused("<a>\u{FFFF}</a>", at: (1, 4), "U+FFFF")
    }

    @Test("DOCTYPEs that could declare entities are refused; ENTITY and other declarations too")
    func hostileDeclarations() {
        let refusal = "DOCTYPE declarations with an internal subset or an external DTD are not accepted"
        expectRefused("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", at: (1, 1), refusal)
        expectRefused("<!DOCTYPE a [\n]>\n<a/>", at: (1, 1), refusal)
        expectRefused("<!DOCTYPE a SYSTEM 'file:///etc/passwd'><a/>", at: (1, 1), refusal)
        expectRefused("<!DOCTYPE a PUBLIC '-//x//y' 'http://example.com/a.dtd'><a/>", at: (1, 1), refusal)
        expectRefused("<a><!ENTITY x 'y'></a>", at: (1, 4), "<!ENTITY is not accepted")
        expectRefused("<!ELEMENT a ANY><a/>", at: (1, 1), "<!ELEMENT is not accepted")
        expectRefused("<a/><!DOCTYPE a>", at: (1, 5), "a DOCTYPE is allowed only once, before the root element")
        expectRefused("<!DOCTYPE a><!DOCTYPE a><a/>", at: (1, 13), "allowed only once")
        expectRefused("<!DOCTYPE><a/>", at: (1, 10), "expected a space and the root element's name after <!DOCTYPE")
        expectRefused("<a><!x></a>", at: (1, 4), "<!x is not accepted")
    }

    @Test("Namespace errors: undeclared prefixes, malformed qualified names, empty bindings")
    func namespaceErrors() {
        expectRefused("<vmctl:meta/>", at: (1, 1), "the namespace prefix vmctl of <vmctl:meta> is not declared")
        expectRefused("<a p:x='1'/>", at: (1, 1), "the namespace prefix p of p:x in <a> is not declared")
        expectRefused("<a><p:b xmlns:p='u'/><p:c/></a>", at: (1, 22), "prefix p of <p:c> is not declared")
        expectRefused("<a:b:c/>", at: (1, 2), "a:b:c is not a qualified name")
        expectRefused("<a: x='1'/>", at: (1, 2), "a: is not a qualified name")
        expectRefused("<:a/>", at: (1, 2), ":a is not a qualified name")
        expectRefused("<p:-a xmlns:p='u'/>", at: (1, 2), "p:-a is not a qualified name")
        expectRefused("<p:a xmlns:p=''/>", at: (1, 1), "xmlns:p in <p:a> is empty")
    }

    @Test("Comments, CDATA and text: unterminated or forbidden sequences")
    func sequences() {
        expectRefused("<a><!-- x -- y --></a>", at: (1, 11), "'--' is not allowed inside a comment")
        expectRefused("<a><!-- x ---></a>", at: (1, 11), "'--' is not allowed inside a comment")
        expectRefused("<a><!-- x </a>", at: (1, 4), "the comment is not closed (missing -->)")
        expectRefused("<a><![CDATA[x]></a>", at: (1, 4), "the CDATA section is not closed (missing ]]>)")
        expectRefused("<a>x]]>y</a>", at: (1, 5), "']]>' is not allowed in text")
        expectRefused("<a><?pi x</a>", at: (1, 4), "the processing instruction <?pi is not closed")
        expectRefused("<a><?pi?x?></a>", at: (1, 8), "expected a space or '?>' after the processing instruction target pi")
    }

    @Test("The XML declaration: only at the start, version 1.x, encodings the decoded text can have")
    func declarationErrors() {
        expectRefused("\n<?xml version='1.0'?><a/>", at: (2, 1), "an XML declaration is allowed only at the very start")
        expectRefused("<a><?XML version='1.0'?></a>", at: (1, 4), "allowed only at the very start")
        expectRefused("<?xml version='2.0'?><a/>", at: (1, 15), "XML version \"2.0\" is not 1.x")
        expectRefused("<?xml encoding='UTF-8'?><a/>", at: (1, 7), "takes version, then optionally encoding and standalone")
        expectRefused("<?xml version='1.0' standalone='yes' encoding='UTF-8'?><a/>", at: (1, 38), "in that order")
        expectRefused("<?xml version='1.0' encoding='ISO-8859-1'?><a/>", at: (1, 30), "encoding \"ISO-8859-1\" is not read")
        expectRefused("<?xml version='1.0' standalone='maybe'?><a/>", at: (1, 32), "standalone must be 'yes' or 'no'")
        expectRefused("<?xml version='1.0'", at: (1, 1), "the XML declaration is not closed")
        expectRefused("<?xml ?><a/>", at: (1, 1), "needs a version")
    }

    @Test("Columns count characters, not bytes")
    func columnsCountCharacters() {
        expectRefused("<été>\n  <à>ü</é></été>", at: (2, 7), "end tag </é> does not match <à> (line 2, column 3)")
    }
}
