import Foundation
import Testing
@testable import LibvirtXML

@Suite("Reader: malformed and hostile XML")
struct ReaderTests {
    static let minimal = "<domain type='kvm'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>"

    func expectXMLError(_ text: String, ruleContains: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) {
            try DomainDefinition(xml: text)
        } throws: { error in
            guard let e = error as? ModelError else { return false }
            return !e.description.contains("\n") && (ruleContains.map { e.rule.contains($0) } ?? true)
        }
    }

    @Test("A minimal document reads, with or without an XML declaration")
    func minimal() throws {
        let d = try DomainDefinition(xml: Self.minimal)
        #expect(d.name == "a" && d.memory == .kib(1024) && d.vcpus == 1)
        let declared = try DomainDefinition(xml: "<?xml version='1.0' encoding='UTF-8'?>\n" + Self.minimal)
        #expect(declared == d)
    }

    @Test("Malformed documents throw", arguments: [
        "", " ", "\n\n", "garbage", "<", "<domain", "<domain>", "<domain type='kvm'>", "</domain>", "<domain/><domain/>",
        "<domain><name>a</nam></domain>", "<domain><name>a&foo;</name></domain>", "<domain><name>&#0;</name></domain>",
        "<domain><name>&#x1;</name></domain>", "<domain a='1' a='2'/>", "<domain a=1/>", "<domain>\u{1}</domain>",
        "<domain><![CDATA[x]></domain>", "<domain><!-- x --></domain", "\u{FEFF}\u{FEFF}<domain/>", "<a:b:c/>",
    ])
    func malformed(_ text: String) {
        expectXMLError(text)
    }

    @Test("DOCTYPE and entity declarations are refused (billion laughs, external entities)")
    func doctype() {
        let laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <domain type='kvm'><name>&lol2;</name><memory>1</memory><os><type>hvm</type></os></domain>
            """
        expectXMLError(laughs, ruleContains: "DOCTYPE")
        let external = """
            <!DOCTYPE domain [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <domain type='kvm'><name>&xxe;</name><memory>1</memory><os><type>hvm</type></os></domain>
            """
        expectXMLError(external, ruleContains: "DOCTYPE")
        expectXMLError("<!DOCTYPE domain SYSTEM 'http://example.com/x.dtd'><domain/>", ruleContains: "DOCTYPE")
        expectXMLError("<domain><!ENTITY x 'y'></domain>", ruleContains: "ENTITY")
    }

    @Test("Deep nesting is refused without exhausting the stack")
    func deepNesting() {
        let depth = 20_000
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        expectXMLError(text)
        let ok = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: Never.self) { try XMLReader.parse(ok) }
    }

    @Test("Oversized documents are refused")
    func oversized() {
        let text = "<domain><description>" + String(repeating: "x", count: XMLReader.maximumBytes) + "</description></domain>"
        expectXMLError(text, ruleContains: "larger than")
    }

    @Test("The wrong root element names the rule")
    func wrongRoot() {
        #expect(throws: ModelError(field: "xml", value: "network", rule: "root element must be <domain>")) {
            try DomainDefinition(xml: "<network><name>n</name></network>")
        }
    }

    @Test("Missing or invalid required parts name the field")
    func missingParts() {
        #expect { try DomainDefinition(xml: "<domain type='kvm'><memory>1</memory><os/></domain>") } throws: {
            ($0 as? ModelError)?.field == "name"
        }
        #expect { try DomainDefinition(xml: "<domain type='kvm'><name>a/b</name><memory>1</memory><os/></domain>") } throws: {
            ($0 as? ModelError)?.field == "name"
        }
        #expect { try DomainDefinition(xml: "<domain type='kvm'><name>a</name><memory unit='parsecs'>1</memory><os/></domain>") } throws: {
            ($0 as? ModelError)?.field == "memory"
        }
        #expect {
            try DomainDefinition(xml: "<domain type='kvm'><name>a</name><memory>1</memory><os/><devices><interface type='network'><mac address='zz'/><source network='n'/></interface></devices></domain>")
        } throws: { ($0 as? ModelError)?.field == "interface[0].mac" }
    }

    @Test("CDATA, character references and comments are read as text and kept")
    func cdataAndReferences() throws {
        let d = try DomainDefinition(xml: "<domain type='kvm'><name>a</name><description><![CDATA[<b>&]]> &#233;&#x1F680; &lt;</description><memory>1</memory><os><type>hvm</type></os></domain>")
        #expect(d.description == "<b>& é🚀 <")
        let tree = try XMLReader.parse("<a>\n  <!-- note -->\n  <b x=\"1\" y='2'/>\n</a>")
        #expect(tree.children.count == 2)
        #expect(tree.serialized() == "<a>\n  <!-- note -->\n  <b x=\"1\" y='2'/>\n</a>\n" || tree.serialized() == "<a>\n  <!-- note -->\n  <b x=\"1\" y=\"2\"/>\n</a>\n")
    }

    @Test("Attribute order is kept as written")
    func attributeOrder() throws {
        let text = "<x z='1' a='2' m='3' b='&apos;&quot;&lt;'/>\n"
        #expect(try XMLReader.parse(text).serialized() == text)
        #expect(try XMLReader.parse(text).attributes.map(\.name) == ["z", "a", "m", "b"])
    }
}
