import Foundation
import Testing
@testable import LibvirtXML

@Suite("Golden files")
struct GoldenTests {
    @Test("Swift model writes exactly the golden file", arguments: goldens)
    func swiftModelWritesGolden(_ golden: Golden) throws {
        let written = try golden.xml()
        if ProcessInfo.processInfo.environment["VMCTL_REGENERATE_GOLDEN"] == "1" {
            try written.write(to: fixturesURL.appendingPathComponent(golden.path), atomically: true, encoding: .utf8)
        }
        #expect(written == (try fixture(golden.path)))
    }

    @Test("Golden file reads back equal to the Swift model", arguments: goldens)
    func goldenReadsAsModel(_ golden: Golden) throws {
        #expect(try golden.equalsParsed(try fixture(golden.path)))
    }

    @Test("Every golden file has a Swift model or is a captured capability document")
    func everyFixtureCovered() {
        let covered = Set(goldens.map(\.path))
        let uncovered = allFixtures().filter { !covered.contains($0) && !$0.hasPrefix("capabilities/") }
        #expect(uncovered.isEmpty)
        #expect(allFixtures().count >= goldens.count + 2)
        for kind in ["domain/", "network/", "pool/", "volume/", "snapshot/", "capabilities/"] {
            #expect(allFixtures().contains { $0.hasPrefix(kind) }, "no golden file for \(kind)")
        }
    }

    @Test("Reading and re-writing a golden file gives the same text", arguments: allFixtures())
    func readWriteIsIdentity(_ path: String) throws {
        let text = try fixture(path)
        #expect(try parseAny(path, text) == text)
    }

    @Test("Golden file validates against libvirt's RelaxNG schema", arguments: allFixtures())
    func validatesAgainstSchema(_ path: String) throws {
        let result = try run("virt-xml-validate", [fixturesURL.appendingPathComponent(path).path])
        #expect(result.status == 0, "\(result.output)")
    }
}

@Suite("Codable")
struct CodableTests {
    @Test("Models encode to JSON without the preserved tree and decode equal")
    func jsonRoundTrip() throws {
        let domain = try DomainDefinition(xml: try fixture("libvirt-output/domain-lab-compute.xml"))
        let data = try JSONEncoder().encode(domain)
        let json = String(decoding: data, as: UTF8.self)
        #expect(!json.contains("original"))
        #expect(json.contains("\"compute1\""))
        let back = try JSONDecoder().decode(DomainDefinition.self, from: data)
        #expect(back == domain)
        // A decoded model has no tree: it writes the canonical document.
        #expect(try back.xml() == (try fixture("domain/lab-compute.xml")))
        let network = try NetworkDefinition(xml: try fixture("network/nat.xml"))
        #expect(try JSONDecoder().decode(NetworkDefinition.self, from: try JSONEncoder().encode(network)) == network)
        let bad = json.replacingOccurrences(of: "\"compute1\"", with: "\"compute 1\"")
        #expect(throws: ModelError.self) { try JSONDecoder().decode(DomainDefinition.self, from: Data(bad.utf8)) }
    }
}
