import Foundation
import Libvirt
import Testing

/// Runs `body`; a call libvirt 9.0's test driver does not implement must
/// still reach it and come back with `.noSupport` (or `.operationUnsupported`).
private func supported(_ body: () throws -> Void) throws -> Bool {
    do {
        try body()
        return true
    } catch LibvirtError.Code.noSupport, LibvirtError.Code.operationUnsupported {
        return false
    }
}

@Suite struct HostAndControlTests {
    @Test func hostFacts() throws {
        let connection = try Connection(uri: "test:///default")
        #expect(try connection.maxVcpus() > 0)
        #expect(try connection.freeMemory() > 0)
        let cells = try connection.cellsFreeMemory(count: 2)
        #expect(cells.count == 2 && cells.allSatisfy { $0 > 0 })
        _ = try supported { let models = try connection.cpuModelNames(arch: "x86_64"); #expect(!models.isEmpty) }
        _ = try supported { let xml = try connection.sysinfoXML(); #expect(xml.contains("<sysinfo")) }
    }

    @Test func domainControl() throws {
        let connection = try Connection(uri: "test:///default")
        let domain = try connection.domain(named: "test")
        #expect(try !domain.osType().isEmpty)
        #expect(try !domain.isUpdated())
        _ = try supported { let name = try domain.hostname(); #expect(!name.isEmpty) }
        _ = try supported { let time = try domain.time(); #expect(time > .zero) }
        _ = try supported { let scheduler = try domain.schedulerType(); #expect(!scheduler.isEmpty) }
        _ = try supported { try domain.sendKey([28]) }
        _ = try supported { try domain.injectNMI() }
        if try supported({ try domain.pinVcpu(0, to: [0]) }) {
            #expect(try domain.vcpuPinning(hostCPUs: 2).first == [0])
        }
        _ = try supported { try domain.setLifecycleAction(.preserve, on: .crash, impact: .live) }
        _ = try supported { let job = try domain.jobInfo(); #expect(job.type == .none) }
        #expect(throws: LibvirtError.self) { try domain.abortJob() }
        _ = try supported {
            let stream = try Stream(connection: connection)
            let type = try domain.screenshot(into: stream)
            #expect(type.hasPrefix("image/"))
            try? stream.finish()
        }
        #expect(throws: LibvirtError.self) { try domain.blockInfo("vdz") }
        _ = try supported { try domain.pmWakeup() }
        _ = try supported { try domain.pmSuspend(.memory) }
    }

    @Test func renameAShutOffDomain() throws {
        let connection = try Connection(uri: "test:///default")
        let domain = try connection.defineDomain(xml: domainXML(named: "vmctl-test-rename-a"))
        try domain.rename(to: "vmctl-test-rename-b")
        let renamed = try connection.domain(named: "vmctl-test-rename-b")
        defer { try? renamed.undefine() }
        #expect(try renamed.uuid() == domain.uuid())
        #expect(throws: LibvirtError.self) { try connection.domain(named: "vmctl-test-rename-a") }
    }

    @Test func snapshotTree() throws {
        let connection = try Fixture.connection()
        let domain = try connection.domain(named: "lab-controller")
        let root = try domain.createSnapshot(xml: "<domainsnapshot><name>vmctl-test-root</name></domainsnapshot>")
        let child = try domain.createSnapshot(xml: "<domainsnapshot><name>vmctl-test-child</name></domainsnapshot>")
        #expect(try child.parent().name == "vmctl-test-root")
        #expect(try root.children().map(\.name) == ["vmctl-test-child"])
        #expect(try root.hasMetadata())
        #expect(throws: LibvirtError.self) { try root.parent() }
    }

    @Test func storageExtras() throws {
        let connection = try Fixture.connection()
        let pool = try connection.storagePool(named: "lab-pool")
        let path = try #require(try StoragePoolPath.target(of: pool))
        _ = try supported { let found = try connection.storagePool(targetPath: path); #expect(found.name == "lab-pool") }
        let volume = try pool.volume(named: "data.raw")
        _ = try supported { let info = try volume.info(physical: true); #expect(info.capacity == (try volume.info().capacity)) }
        _ = try supported { try volume.wipe(.zero) }
        let transient = try connection.createTransientStoragePool(xml: """
            <pool type='dir'><name>vmctl-test-transient</name><target><path>/vmctl-test-transient</path></target></pool>
            """)
        #expect(try !transient.isPersistent())
        try transient.destroy()
        #expect(throws: LibvirtError.self) { try connection.storagePool(named: "vmctl-test-transient") }
    }

    @Test func hostInterfaces() throws {
        let connection = try Connection(uri: "test:///default")
        let all = try connection.interfaces()
        let first = try #require(all.first)
        #expect(try connection.interface(named: first.name).mac() == first.mac())
        #expect(try connection.interface(mac: first.mac()).name == first.name)
        #expect(try first.xml().contains("<interface"))
        try connection.beginInterfaceChanges()
        let defined = try connection.defineInterface(xml: """
            <interface type='ethernet' name='vmctltest0'><mac address='52:54:00:aa:bb:cc'/></interface>
            """)
        #expect(try !defined.isActive())
        try defined.start()
        #expect(try defined.isActive())
        try defined.destroy()
        try connection.rollBackInterfaceChanges()
        #expect(throws: LibvirtError.self) { try connection.interface(named: "vmctltest0") }
        try connection.beginInterfaceChanges()
        try connection.commitInterfaceChanges()
        #expect(throws: LibvirtError.self) { try connection.interface(named: "vmctl-test-binding-none") }
    }
}

enum StoragePoolPath {
    /// The `<target><path>` of a pool's XML.
    static func target(of pool: StoragePool) throws -> String? {
        let xml = try pool.xml()
        guard let start = xml.range(of: "<path>"), let end = xml.range(of: "</path>", range: start.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[start.upperBound..<end.lowerBound])
    }
}
