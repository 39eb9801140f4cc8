import Foundation
import Libvirt
import Testing
import TestSupport

/// A running test-driver domain with one disk and one interface, undefined afterwards.
private func withRunningDomain(_ name: String, _ body: (Connection, Domain) throws -> Void) throws {
    let connection = try Connection(uri: "test:///default")
    let domain = try connection.defineDomain(xml: """
        <domain type='test'>
          <name>\(name)</name>
          <memory unit='KiB'>262144</memory>
          <currentMemory unit='KiB'>262144</currentMemory>
          <vcpu current='1'>2</vcpu>
          <os><type arch='x86_64'>hvm</type></os>
          <devices>
            <disk type='file' device='disk'>
              <source file='/guest/\(name).img'/>
              <target dev='vda' bus='virtio'/>
            </disk>
            <interface type='network'>
              <mac address='52:54:00:aa:bb:01'/>
              <source network='default'/>
              <target dev='vnet7'/>
            </interface>
          </devices>
        </domain>
        """)
    defer {
        if (try? domain.isActive()) == true { try? domain.destroy() }
        try? domain.undefine([.managedSave, .snapshotsMetadata])
    }
    try domain.start()
    try body(connection, domain)
}

@Suite struct DomainOperationTests {
    @Test func attachUpdateAndDetachADevice() throws {
        try withRunningDomain("vmctl-test-devices") { _, domain in
            // libvirt 9.0's test driver has no device hot-plug: each call reaches
            // the driver and returns its code. IntegrationTests cover the QEMU driver.
            do {
                try domain.attachDevice(xml: "<watchdog model='i6300esb'/>", flags: .config)
            } catch LibvirtError.Code.noSupport {
                #expect(throws: LibvirtError.self) { try domain.detachDevice(xml: "<watchdog model='i6300esb'/>") }
                #expect(throws: LibvirtError.self) { try domain.updateDevice(xml: "<watchdog model='i6300esb'/>") }
                #expect(throws: LibvirtError.self) { try domain.detachDevice(alias: "watchdog0") }
                return
            }
            let disk = """
                <disk type='file' device='cdrom'>
                  <source file='/guest/first.iso'/>
                  <target dev='sdb' bus='sata'/>
                  <readonly/>
                </disk>
                """
            try domain.attachDevice(xml: disk, flags: [.live, .config])
            #expect(try domain.xml().contains("/guest/first.iso"))
            try domain.updateDevice(xml: disk.replacingOccurrences(of: "first.iso", with: "second.iso"), flags: [.live])
            #expect(try domain.xml().contains("/guest/second.iso"))
            try domain.detachDevice(xml: disk.replacingOccurrences(of: "first.iso", with: "second.iso"), flags: [.live, .config])
            #expect(try !domain.xml().contains("sdb"))
            #expect(throws: LibvirtError.self) { try domain.detachDevice(xml: disk, flags: .live) }
        }
    }

    @Test func memoryAndVcpus() throws {
        try withRunningDomain("vmctl-test-memory") { _, domain in
            #expect(try domain.maxMemoryKiB() == 262144)
            try domain.setMemory(kiB: 131072, flags: .live)
            #expect(try domain.info().memoryKiB == 131072)
            #expect(try domain.vcpuCount(.maximum) == 2)
            #expect(try domain.vcpuCount(.live) == 1)
            try domain.setVcpus(2, flags: .live)
            #expect(try domain.vcpuCount(.live) == 2)
            #expect(try domain.maxVcpus() >= 2)
            try domain.destroy()
            try domain.setMaxMemory(kiB: 524288)
            #expect(try domain.maxMemoryKiB() == 524288)
        }
    }

    @Test func shutdownResetAndManagedSave() throws {
        try withRunningDomain("vmctl-test-power") { _, domain in
            try domain.reset()
            #expect(try domain.state().state == .running)
            try domain.managedSave()
            #expect(try domain.state().state == .shutOff)
            #expect(try domain.hasManagedSaveImage())
            try domain.start()
            #expect(try domain.state().state == .running)
            #expect(try !domain.hasManagedSaveImage())
            try domain.managedSave()
            try domain.removeManagedSaveImage()
            #expect(try !domain.hasManagedSaveImage())
            try domain.start()
            // The test driver takes no shutdown method; the flags reach it and it says so.
            #expect { try domain.shutdown([.acpiPowerButton]) } throws: { ($0 as? LibvirtError)?.code == .invalidArgument }
            try domain.shutdown([])
            #expect(try domain.state().state == .shutOff)
        }
    }

    @Test func saveAndRestore() throws {
        try withRunningDomain("vmctl-test-save") { connection, domain in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-test-save-\(getpid()).img").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try domain.save(to: path)
            #expect(try domain.state().state == .shutOff)
            #expect(try connection.savedDomainXML(at: path).contains("<name>vmctl-test-save</name>"))
            try connection.restoreDomain(from: path)
            #expect(try domain.state().state == .running)
        }
    }

    @Test func statsOfAllDomainsAndOfOne() throws {
        try withRunningDomain("vmctl-test-stats") { connection, domain in
            // The test driver reports the state group only.
            let all = try connection.domainStats([.state], flags: [.active])
            let mine = try #require(all.first { $0.domain.name == "vmctl-test-stats" })
            #expect(mine[integer: "state.state"] == UInt64(DomainState.running.rawValue))
            #expect(mine.values["state.reason"] != nil)
            #expect(try connection.domainStats([.state], flags: [.shutOff]).allSatisfy { $0.domain.name != "vmctl-test-stats" })
            let one = try connection.domainStats([.state], of: [domain])
            #expect(one.map(\.domain.name) == ["vmctl-test-stats"])
            #expect(throws: LibvirtError.self) { try connection.domainStats([.block], flags: [.enforceStats]) }

            let block = try domain.blockStats(disk: "vda")
            #expect(block.readBytes >= 0)
            // The test driver names the host side of each interface testnetN.
            let interface = try domain.interfaceStats(device: "52:54:00:aa:bb:01")
            #expect(interface.receivedBytes >= 0)
            #expect(throws: LibvirtError.self) { try domain.blockStats(disk: "vdz") }
            // The test driver keeps no memory statistics; the call succeeds with none.
            #expect(try domain.memoryStats().isEmpty)
            #expect(DomainMemoryStatTag.rss.description == "rss")
        }
    }

    @Test func blockResizeAndJobs() throws {
        try withRunningDomain("vmctl-test-block") { _, domain in
            // The test driver has no block jobs: each call reaches libvirt and
            // comes back with its code, and a disk without a job reports none.
            do {
                try domain.blockResize("vda", to: 1 << 30)
            } catch LibvirtError.Code.noSupport, LibvirtError.Code.operationUnsupported {}
            for attempt in [
                { try domain.blockCommit("vda") }, { try domain.blockPull("vda") }, { try domain.blockJobAbort("vda") },
            ] as [() throws -> Void] {
                do {
                    try attempt()
                    Issue.record("the test driver ran a block job")
                } catch LibvirtError.Code.noSupport, LibvirtError.Code.operationUnsupported, LibvirtError.Code.operationInvalid {}
            }
            do {
                #expect(try domain.blockJobInfo("vda") == nil)
            } catch LibvirtError.Code.noSupport {}
        }
    }
}

@Suite struct SecretAndNodeDeviceTests {
    @Test func secretLifecycle() throws {
        let connection = try Connection(uri: "test:///default")
        do {
            let secret = try connection.defineSecret(xml: """
                <secret ephemeral='no' private='no'>
                  <uuid>6dd3e4a5-1d76-44ce-961f-f119f5aad935</uuid>
                  <usage type='volume'><volume>/var/lib/libvirt/images/vmctl-test-binding-secret.img</volume></usage>
                </secret>
                """)
            defer { try? secret.undefine() }
            #expect(try secret.uuid() == "6dd3e4a5-1d76-44ce-961f-f119f5aad935")
            #expect(try secret.usageType() == .volume)
            #expect(try secret.usageID() == "/var/lib/libvirt/images/vmctl-test-binding-secret.img")
            try secret.setValue(Array("passphrase".utf8))
            #expect(try secret.value() == Array("passphrase".utf8))
            #expect(try connection.secrets().count == 1)
            #expect(try connection.secret(usage: .volume, id: secret.usageID()).uuid() == secret.uuid())
            try secret.undefine()
            #expect(throws: LibvirtError.self) { try connection.secret(uuid: "6dd3e4a5-1d76-44ce-961f-f119f5aad935") }
        } catch LibvirtError.Code.noSupport {
            // libvirt 9.0's test driver has no secret driver: the call still
            // reached libvirt and came back with its code.
            #expect(throws: LibvirtError.self) { try connection.secrets() }
        }
    }

    @Test func nodeDevicesOfTheTestHost() throws {
        let connection = try Connection(uri: "test:///default")
        let devices = try connection.nodeDevices()
        #expect(!devices.isEmpty)
        let computer = try connection.nodeDevice(named: "computer")
        #expect(computer.parentName() == nil)
        #expect(try computer.capabilities().contains("system"))
        #expect(try computer.xml().contains("<name>computer</name>"))
        let scsiHosts = try connection.nodeDevices(.scsiHost)
        #expect(scsiHosts.allSatisfy { (try? $0.capabilities().contains("scsi_host")) == true })
        #expect(throws: LibvirtError.self) { try connection.nodeDevice(named: "vmctl-test-binding-none") }
        do {
            _ = try connection.nodeDevice(named: "vmctl-test-binding-none")
        } catch LibvirtError.Code.noNodeDevice {}
    }

    @Test func closeCallbackRegistersAndEndsWithClose() async throws {
        let connection = try Connection(uri: "test:///default")
        let closes = try connection.closeEvents()
        connection.close()
        #expect(await drain(closes)?.isEmpty == true)
    }
}
