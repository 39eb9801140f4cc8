import Foundation
import Libvirt
import Testing

@Suite struct NetworkTests {
    let isolatedXML = """
        <network>
          <name>vmctl-test-hostonly</name>
          <bridge name='vmctltest0'/>
          <ip address='10.78.0.1' netmask='255.255.255.0'>
            <dhcp><range start='10.78.0.10' end='10.78.0.50'/></dhcp>
          </ip>
        </network>
        """

    @Test func listAndLookUp() throws {
        let connection = try Fixture.connection()
        #expect(try connection.networks().map(\.name) == ["lab-mgmt"])
        let network = try connection.network(named: "lab-mgmt")
        #expect(try network.bridgeName() == "virbr-labmgmt")
        #expect(try connection.network(uuid: network.uuid()).name == "lab-mgmt")
        #expect(try network.isActive())
        #expect(try network.isPersistent())
        #expect(try network.xml().contains("<forward mode='nat'"))
        #expect(try connection.networks(.inactive).isEmpty)
    }

    @Test func defineStartStopUndefine() throws {
        let connection = try Fixture.connection()
        let network = try connection.defineNetwork(xml: isolatedXML)
        #expect(try !network.isActive())
        try network.start()
        #expect(try network.isActive())
        try network.setAutostart(true)
        #expect(try network.autostart())
        try network.destroy()
        #expect(try !network.isActive())
        try network.undefine()
        #expect(errorCode { _ = try connection.network(named: "vmctl-test-hostonly") } == .noNetwork)
    }

    @Test func transientNetwork() throws {
        let connection = try Fixture.connection()
        let network = try connection.createTransientNetwork(xml: isolatedXML)
        #expect(try network.isActive())
        #expect(try !network.isPersistent())
        try network.destroy()
        #expect(errorCode { _ = try connection.network(named: "vmctl-test-hostonly") } == .noNetwork)
    }

    @Test func addAndRemoveDHCPHostReservation() throws {
        let connection = try Fixture.connection()
        let network = try connection.network(named: "lab-mgmt")
        let host = "<host mac='52:54:00:aa:bb:cc' name='compute1' ip='10.77.0.21'/>"
        try network.addDHCPHost(xml: host, impact: [.live, .config])
        #expect(try network.xml().contains("ip='10.77.0.21'"))
        try network.removeDHCPHost(xml: host, impact: [.live, .config])
        #expect(try !network.xml().contains("10.77.0.21"))
    }

    @Test func invalidNetworkXMLKeepsLibvirtsError() throws {
        let connection = try Fixture.connection()
        let code = errorCode { _ = try connection.defineNetwork(xml: "<network><name>x</name><ip address='bogus'/></network>") }
        #expect(code != nil && code != .ok)
    }
}

@Suite struct StorageTests {
    @Test func poolsAndVolumes() throws {
        let connection = try Fixture.connection()
        let pool = try connection.storagePool(named: "lab-pool")
        #expect(try connection.storagePools().map(\.name).contains("lab-pool"))
        #expect(try connection.storagePool(uuid: pool.uuid()).name == "lab-pool")
        let info = try pool.info()
        #expect(info.state == .running)
        #expect(info.capacity == 100 << 30)
        #expect(Set(try pool.volumes().map(\.name)) == ["base.qcow2", "data.raw"])
        let base = try pool.volume(named: "base.qcow2")
        #expect(try base.path() == "/lab-pool/base.qcow2")
        #expect(try connection.storageVolume(path: "/lab-pool/base.qcow2").name == "base.qcow2")
        #expect(try connection.storageVolume(key: base.key()).name == "base.qcow2")
        #expect(try base.pool().name == "lab-pool")
        #expect(try base.info().capacity == 2 << 30)
        #expect(try base.xml().contains("<name>base.qcow2</name>"))
    }

    @Test func createCloneDelete() throws {
        let connection = try Fixture.connection()
        let pool = try connection.storagePool(named: "lab-pool")
        let volume = try pool.createVolume(xml: """
            <volume><name>vmctl-test-disk</name><capacity unit='MiB'>64</capacity><target><format type='raw'/></target></volume>
            """)
        #expect(try volume.info().capacity == 64 << 20)
        let source = try pool.volume(named: "base.qcow2")
        let copy = try pool.createVolume(
            xml: "<volume><name>vmctl-test-copy</name><capacity unit='GiB'>2</capacity><target/></volume>", copying: source)
        #expect(try copy.info().capacity == 2 << 30)
        // The test driver has neither virStorageVolResize nor virStorageVolWipe;
        // IntegrationTests resize and wipe on a real pool.
        #expect(errorCode { try volume.resize(to: 128 << 20) } == .noSupport)
        #expect(errorCode { try volume.wipe() } == .noSupport)
        try volume.delete()
        try copy.delete()
        #expect(errorCode { _ = try pool.volume(named: "vmctl-test-disk") } == .noStorageVolume)
        #expect(try pool.volume(named: "base.qcow2").name == "base.qcow2")
    }

    @Test func poolLifecycle() throws {
        let connection = try Fixture.connection()
        let pool = try connection.defineStoragePool(xml: """
            <pool type='dir'><name>vmctl-test-pool</name><target><path>/vmctl-test-pool</path></target></pool>
            """)
        #expect(try !pool.isActive())
        try pool.build()
        try pool.start()
        #expect(try pool.isActive())
        try pool.refresh()
        try pool.setAutostart(true)
        #expect(try pool.autostart())
        #expect(try pool.xml().contains("vmctl-test-pool"))
        try pool.destroy()
        try pool.delete()
        try pool.undefine()
        #expect(errorCode { _ = try connection.storagePool(named: "vmctl-test-pool") } == .noStoragePool)
    }
}

@Suite struct EventTests {
    @Test func lifecycleEventsArriveInOrder() async throws {
        let connection = try Fixture.connection()
        let events = try connection.domainEvents()
        let domain = try connection.defineDomain(xml: domainXML(named: "vmctl-test-events"))
        try domain.start()
        try domain.destroy()
        try domain.undefine()
        var kinds: [DomainEvent.Kind] = []
        for await event in events where event.domainName == "vmctl-test-events" {
            kinds.append(event.kind)
            #expect(event.domainUUID == (try? domain.uuid()))
            if kinds.count == 4 { break }
        }
        #expect(kinds == [.defined, .started, .stopped, .undefined])
    }
}

