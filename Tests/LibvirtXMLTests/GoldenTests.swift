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
