import Foundation
import Libvirt
import LibvirtXML
import Testing

/// The readers accept what libvirt accepts: each document here is defined on
/// libvirt's test driver first, read back, written again, and defined again.
/// vmctl's allow-list still applies to the names it creates.
@Suite("Reader: documents libvirt accepts")
struct TolerantReadingTests {
    @Test("Domain names outside vmctl's allow-list read and write back", arguments: [
        "my vm (win10)", String(repeating: "a", count: 70), "-starts-with-dash", "ünïcode", "a&b<c>",
    ])
    func domainNames(_ name: String) throws {
        let connection = try Connection(uri: "test:///default")
        let escaped = name.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        let domain = try connection.defineDomain(xml: """
            <domain type='test'><name>\(escaped)</name><memory unit='MiB'>64</memory>
            <os><type arch='x86_64'>hvm</type></os></domain>
            """)
        defer { try? domain.undefine() }
        let definition = try DomainDefinition(xml: try domain.xml())
        #expect(definition.name.rawValue == name)
        #expect(!definition.name.followsAllowList)
        let again = try connection.defineDomain(xml: try definition.xml())
        #expect(again.name == name)
        #expect(throws: ModelError.self) { try ObjectName(name) }
    }

    @Test("Names libvirt refuses are refused on read too", arguments: ["", "a/b", "two\nlines"])
    func namesLibvirtRefuses(_ name: String) {
        #expect(throws: ModelError.self) { try ObjectName(libvirtName: name) }
    }

    @Test("Forward modes vmctl does not model are kept as read", arguments: [
        ("vepa", "<forward mode='vepa'><interface dev='eth1'/><interface dev='eth2'/></forward>"),
        ("passthrough", "<forward mode='passthrough'><interface dev='eth3'/></forward>"),
        ("private", "<forward mode='private' dev='eth4'><interface dev='eth4'/></forward>"),
        ("hostdev", "<forward mode='hostdev' managed='yes'><pf dev='eth5'/></forward>"),
    ])
    func forwardModes(_ mode: String, _ forward: String) throws {
        let connection = try Connection(uri: "test:///default")
        let name = "vmctl-test-binding-\(mode)"
        let network = try connection.defineNetwork(xml: "<network><name>\(name)</name>\(forward)</network>")
        defer { try? network.undefine() }
        let libvirtXML = try network.xml()
        let definition = try NetworkDefinition(xml: libvirtXML)
        #expect(definition.forward == .unmodeled(mode: mode))
        #expect(!definition.forward.hasAddressing)
        let written = try definition.xml()
        let forwardElement = { (xml: String) in xml.range(of: "<forward[\\s\\S]*?(/>|</forward>)", options: .regularExpression).map { String(xml[$0]) } }
        #expect(forwardElement(written) == forwardElement(libvirtXML))
        try network.undefine()
        let again = try connection.defineNetwork(xml: written)
        #expect(try NetworkDefinition(xml: try again.xml()).forward == .unmodeled(mode: mode))
        try again.undefine()
    }

    @Test("An unmodeled forward mode cannot be built in code")
    func unmodeledForwardIsNotBuilt() {
        #expect(throws: ModelError.self) { try NetworkDefinition(name: "n", forward: .unmodeled(mode: "vepa")).xml() }
    }
}
