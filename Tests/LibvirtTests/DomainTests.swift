import Foundation
import Libvirt
import Testing

@Suite struct DomainTests {
    @Test func listsWithStateFilters() throws {
        let connection = try Fixture.connection()
        #expect(Set(try connection.domains().map(\.name)) == ["lab-controller", "lab-compute1", "lab-storage"])
        #expect(Set(try connection.domains(.active).map(\.name)) == ["lab-controller", "lab-compute1"])
        #expect(try connection.domains(.inactive).map(\.name) == ["lab-storage"])
        #expect(try connection.domains(.shutOff).map(\.name) == ["lab-storage"])
        #expect(try connection.domains([.active, .persistent]).count == 2)
    }

    @Test func looksUpByNameUUIDAndID() throws {
        let connection = try Fixture.connection()
        let byName = try connection.domain(named: "lab-compute1")
        let uuid = try byName.uuid()
        #expect(uuid == "11111111-2222-3333-4444-000000000002")
        #expect(try connection.domain(uuid: uuid).name == "lab-compute1")
        let id = try #require(byName.id)
        #expect(try connection.domain(id: id).name == "lab-compute1")
        #expect(try connection.domain(named: "lab-storage").id == nil)
    }

    @Test func fullLifecycle() throws {
        let connection = try Fixture.connection()
        let domain = try connection.defineDomain(xml: domainXML(named: "vmctl-test-life"))
        #expect(try domain.isPersistent())
        #expect(try !domain.isActive())
        #expect(try domain.state().state == .shutOff)

        try domain.start()
        #expect(try domain.state() == DomainStateInfo(state: .running, reason: 1))
        #expect(try domain.state().reasonDescription == "booted")
        try domain.suspend()
        #expect(try domain.state().state == .paused)
        #expect(try domain.state().reasonDescription == "user")
        try domain.resume()
        #expect(try domain.state().state == .running)
        try domain.reboot()
        try domain.shutdown()
        #expect(try domain.state().state == .shutOff)
        #expect(try domain.state().reasonDescription == "shutdown")
        try domain.start()
        try domain.destroy()
        #expect(try domain.state().reasonDescription == "destroyed")
        try domain.start()
        try domain.destroy(graceful: true)

        let info = try domain.info()
        #expect(info.maxMemoryKiB == 131_072)
        #expect(info.vcpus == 1)

        try domain.setAutostart(true)
        #expect(try domain.autostart())
        try domain.setAutostart(false)
        #expect(try !domain.autostart())

        try domain.undefine([.managedSave, .snapshotsMetadata])
        #expect(errorCode { _ = try connection.domain(named: "vmctl-test-life") } == .noDomain)
    }

    @Test func transientDomainVanishesWhenStopped() throws {
        let connection = try Fixture.connection()
        let domain = try connection.createTransientDomain(xml: domainXML(named: "vmctl-test-transient"))
        #expect(try domain.isActive())
        #expect(try !domain.isPersistent())
        try domain.destroy()
        #expect(errorCode { _ = try connection.domain(named: "vmctl-test-transient") } == .noDomain)
    }

    @Test func validateFlagRejectsSchemaViolations() throws {
        let connection = try Fixture.connection()
        let bad = "<domain type='test'><name>vmctl-test-bad</name><memory>1</memory><bogus/><os><type>hvm</type></os></domain>"
        #expect(errorCode { _ = try connection.defineDomain(xml: bad, validate: true) } == .xmlInvalidSchema)
    }

    @Test func xmlFlags() throws {
        let connection = try Fixture.connection()
        let domain = try connection.domain(named: "lab-controller")
        let live = try domain.xml()
        #expect(live.contains("<name>lab-controller</name>"))
        #expect(live.contains("id='"))
        let inactive = try domain.xml([.inactive, .secure])
        #expect(!inactive.contains("id='"))
    }

    @Test func interfaceAddressesFromLeases() throws {
        let connection = try Fixture.connection()
        let interfaces = try connection.domain(named: "lab-controller").interfaceAddresses(source: .lease)
        let first = try #require(interfaces.first)
        #expect(first.mac == "52:54:00:00:00:01")
        #expect(first.addresses.first?.family == .ipv4)
        #expect(first.addresses.first?.address.isEmpty == false)
    }

    @Test func metadataInVmctlNamespace() throws {
        let connection = try Fixture.connection()
        let domain = try connection.defineDomain(xml: domainXML(named: "vmctl-test-meta"))
        let namespace = "https://vmctl.dev/xmlns/vm/1.0"
        #expect(errorCode { _ = try domain.metadata(namespaceURI: namespace) } == .noDomainMetadata)
        try domain.setMetadata("<vm><lab>demo</lab><role>compute</role></vm>", key: "vmctl", namespaceURI: namespace)
        let stored = try domain.metadata(namespaceURI: namespace)
        #expect(stored.contains("<lab>demo</lab>"))
        #expect(stored.contains("<role>compute</role>"))
        #expect(try domain.xml().contains("xmlns:vmctl=\"\(namespace)\""))
        try domain.setMetadata(nil, key: "vmctl", namespaceURI: namespace)
        #expect(errorCode { _ = try domain.metadata(namespaceURI: namespace) } == .noDomainMetadata)
        #expect(try domain.text(.title) == nil)
        try domain.undefine()
    }

    @Test func snapshots() throws {
        let connection = try Fixture.connection()
        let domain = try connection.defineDomain(xml: domainXML(named: "vmctl-test-snap"))
        #expect(try domain.snapshots().isEmpty)
        #expect(try !domain.hasCurrentSnapshot())
        let first = try domain.createSnapshot(xml: "<domainsnapshot><name>before</name></domainsnapshot>")
        #expect(first.name == "before")
        _ = try domain.createSnapshot(xml: "<domainsnapshot><name>after</name><description>x &amp; y</description></domainsnapshot>")
        #expect(Set(try domain.snapshots().map(\.name)) == ["before", "after"])
        #expect(try domain.currentSnapshot().name == "after")
        #expect(try domain.snapshot(named: "after").xml().contains("<description>x &amp; y</description>"))
        try domain.snapshot(named: "before").revert()
        #expect(try domain.currentSnapshot().name == "before")
        #expect(try domain.snapshot(named: "before").isCurrent())
        try domain.snapshot(named: "after").delete()
        #expect(try domain.snapshots().map(\.name) == ["before"])
        try domain.undefine(.snapshotsMetadata)
    }
}
