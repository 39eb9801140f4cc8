import Foundation
@testable import Libvirt
import Testing
import TestSupport

/// Runs `body`; a call libvirt 9.0's test driver does not implement (or
/// implements without the flags libvirt adds) must still reach it and come
/// back with its code.
private func ifSupported(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch LibvirtError.Code.noSupport, LibvirtError.Code.operationUnsupported, LibvirtError.Code.argumentUnsupported {}
}

@Suite struct AgentAndNodeTests {
    @Test func guestAgentCalls() throws {
        let connection = try Connection(uri: "test:///default")
        let domain = try connection.domain(named: "test")
        try ifSupported { try domain.setTime(.seconds(1_700_000_000)) }
        try ifSupported { _ = try domain.controlInfo() }
        try ifSupported {
            try domain.setAuthorizedSSHKeys(["ssh-ed25519 AAAA vmctl-test"], user: "root", flags: [.append])
            #expect(try domain.authorizedSSHKeys(user: "root").contains("ssh-ed25519 AAAA vmctl-test"))
            try domain.setAuthorizedSSHKeys(["ssh-ed25519 AAAA vmctl-test"], user: "root", flags: [.remove])
        }
        try ifSupported { _ = try domain.messages() }
        try ifSupported { try domain.setAgentResponseTimeout(seconds: 5) }
        try ifSupported { let systems = try domain.fileSystems(); #expect(systems.allSatisfy { !$0.mountPoint.isEmpty }) }
        try ifSupported { try domain.setMemoryStatsPeriod(seconds: 10, impact: .live) }
        try ifSupported { try domain.setBlockThreshold("vda", bytes: 1 << 30) }
        try ifSupported {
            try domain.pinEmulator(to: [0], impact: .live)
            #expect(try domain.emulatorPinning(hostCPUs: 2, impact: .live) == [0])
        }
        try ifSupported { let fields = try domain.blockStatsFields(disk: "vda"); #expect(!fields.isEmpty) }
        #expect(throws: LibvirtError.self) { try domain.setBlockJobSpeed("vda", bandwidth: 10) }
        try ifSupported { _ = try domain.migrationMaxSpeed() }
        try ifSupported { try domain.setMigrationMaxSpeed(100) }
        try ifSupported { _ = try domain.migrationMaxDowntime() }
        try ifSupported { try domain.setMigrationMaxDowntime(milliseconds: 300) }
        #expect(throws: LibvirtError.self) { try domain.startPostCopyMigration() }
        try ifSupported { let stats = try domain.jobStats(); #expect(stats.type == .none) }
    }

    /// The test driver has no guest agent: the call reaches libvirt and its
    /// error keeps libvirt's code. The real agent's answer is checked on the
    /// Debian guest (IntegrationCloudGuestTests).
    @Test func guestInfoWithoutAnAgentKeepsLibvirtsError() throws {
        let connection = try Connection(uri: "test:///default")
        let domain = try connection.domain(named: "test")
        let error = #expect(throws: LibvirtError.self) { try domain.guestInfo([.operatingSystem, .hostname]) }
        #expect(error?.code == .noSupport)
        #expect(error?.message.contains("virDomainGetGuestInfo") == true, "\(String(describing: error))")
    }

    @Test func managedSaveAndSavedImageDefinitions() throws {
        let connection = try Connection(uri: "test:///default")
        let domain = try connection.defineDomain(xml: domainXML(named: "vmctl-test-saved-xml"))
        defer { try? domain.undefine([.managedSave]) }
        try domain.start()
        try domain.managedSave()
        try ifSupported {
            let xml = try domain.managedSaveXML()
            #expect(xml.contains("vmctl-test-saved-xml"))
            try domain.defineManagedSaveXML(xml)
        }
        try domain.start()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-test-saved-xml-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try domain.save(to: path)
        try ifSupported { try connection.defineSavedDomainXML(at: path, xml: try connection.savedDomainXML(at: path)) }
    }

    @Test func nodeCountersAndModels() throws {
        let connection = try Connection(uri: "test:///default")
        try ifSupported { let cpu = try connection.nodeCPUStats(); #expect(!cpu.isEmpty) }
        try ifSupported { let memory = try connection.nodeMemoryStats(); #expect(!memory.isEmpty) }
        try ifSupported { _ = try connection.securityModel() }
        try ifSupported {
            let parameters = try connection.nodeMemoryParameters()
            if let (key, value) = parameters.first { try connection.setNodeMemoryParameters([key: value]) }
        }
        try ifSupported { let pages = try connection.freePages(sizesKiB: [4], cells: 1); #expect(pages.count <= 1) }
    }

    @Test func nodeDeviceAndSecretEventsEndWithClose() async throws {
        let connection = try Connection(uri: "test:///default")
        let devices = try connection.nodeDeviceEvents()
        // libvirt 9.0's test driver has no secret driver.
        #expect { _ = try connection.secretEvents() } throws: { ($0 as? LibvirtError)?.code == .noSupport }
        #expect(connection.subscriptionCount == 1)
        connection.close()
        #expect(await drain(devices)?.isEmpty == true)
    }
}
