import Foundation
import Libvirt
import Testing

@Suite(.enabled(if: Daemon.enabled)) struct IntegrationDaemonTests {
    @Test func connectsToTheQEMUDriver() throws {
        let connection = try Daemon.connect()
        #expect(try connection.hypervisorType() == "QEMU")
        #expect(try connection.uri() == Daemon.uri)
        #expect(try connection.libraryVersion() >= Version(major: 9, minor: 0, release: 0))
        #expect(try connection.hypervisorVersion().major >= 7)
        #expect(try connection.nodeInfo().cpus >= 1)
        #expect(try connection.isAlive())
        // qemu:///system goes through the daemon's RPC link, which supports keepalive.
        #expect(try connection.setKeepAlive(interval: 5, count: 3))
        let capabilities = try connection.capabilitiesXML()
        #expect(capabilities.contains("<domain type='qemu'"))
        let domainCapabilities = try connection.domainCapabilitiesXML(arch: "x86_64", virtType: "qemu")
        #expect(domainCapabilities.contains("<domain>qemu</domain>"))
    }

    @Test func failedLookupKeepsCodeAndNamesTheDomain() throws {
        let connection = try Daemon.connect()
        let error = #expect(throws: LibvirtError.self) { try connection.domain(named: "vmctl-test-daemon-missing") }
        #expect(error?.code == .noDomain)
        #expect(error?.origin == .qemu)
        #expect(error?.message.contains("vmctl-test-daemon-missing") == true)
    }

    /// 1,000 connections to the real daemon and 10,000 lookups, twice, in a
    /// process of its own: descriptors and memory must stay flat.
    @Test func connectionsAndLookupsStayFlatOnRealDaemon() throws {
        let scope = try TestScope("leak")
        defer { scope.clean() }
        let domain = try scope.connection.defineDomain(xml: """
            <domain type='qemu'><name>\(scope.name("probe"))</name><memory unit='MiB'>64</memory>
            <os><type arch='x86_64'>hvm</type></os></domain>
            """)
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var harness = executable.appendingPathComponent("libvirt-leak-check").path
        if !FileManager.default.fileExists(atPath: harness) {
            harness = executable.deletingLastPathComponent().appendingPathComponent("libvirt-leak-check").path
        }
        let result = try run(harness, [Daemon.uri, "1000", "10000", domain.name])
        try #require(result.status == 0, "libvirt-leak-check failed: \(result.errors)")
        struct Report: Decodable { var fdsBefore, fdsMiddle, fdsAfter, rssMiddle, rssAfter: Int }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.output.utf8))
        // A leak would add a descriptor per connection (1,000 a round); the
        // event loop may still hold a socket or two it is closing.
        #expect(report.fdsMiddle <= report.fdsBefore + 2)
        #expect(report.fdsAfter <= report.fdsBefore + 2)
        #expect(report.rssAfter - report.rssMiddle < 1 << 20, "second round grew RSS by \(report.rssAfter - report.rssMiddle)")
    }
}
