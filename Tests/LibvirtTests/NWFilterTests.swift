import Foundation
import Libvirt
import Testing

/// Network filters and filter bindings on the real daemon (the test driver has no nwfilter driver).
@Suite(.enabled(if: SystemDaemon.enabled)) struct NWFilterTests {
    @Test func libvirtsOwnFiltersAreListedAndFoundByNameAndUUID() throws {
        let connection = try Connection(uri: SystemDaemon.uri)
        let filters = try connection.nwFilters()
        let clean = try #require(filters.first { $0.name == "clean-traffic" })
        #expect(filters.contains { $0.name == "allow-arp" })
        let uuid = try clean.uuid()
        #expect(uuid.count == 36)
        #expect(try connection.nwFilter(uuid: uuid).name == "clean-traffic")
        #expect(try connection.nwFilter(named: "clean-traffic").uuid() == uuid)
        #expect(try clean.xml().contains("<filter name='clean-traffic'"))
    }

    @Test func defineLookUpAndUndefine() throws {
        let scope = try DaemonScope("nwf")
        defer { scope.clean() }
        let name = scope.name("ssh")
        let filter = try scope.connection.defineNWFilter(xml: """
            <filter name='\(name)' chain='ipv4'>
              <rule action='accept' direction='in' priority='500'><tcp dstportstart='22'/></rule>
            </filter>
            """)
        #expect(filter.name == name)
        #expect(try scope.connection.nwFilters().contains { $0.name == name })
        let uuid = try filter.uuid()
        #expect(try scope.connection.nwFilter(uuid: uuid).name == name)
        #expect(try scope.connection.nwFilter(named: name).xml().contains("dstportstart='22'"))
        try filter.undefine()
        #expect(errorCode { _ = try scope.connection.nwFilter(named: name) } == .noNWFilter)
        #expect(errorCode { _ = try scope.connection.nwFilter(uuid: uuid) } == .noNWFilter)
    }

    @Test func schemaValidationRejectsAnUnknownElementWithLibvirtsError() throws {
        let scope = try DaemonScope("nwfbad")
        defer { scope.clean() }
        let xml = "<filter name='\(scope.name("bad"))'><bogus/></filter>"
        #expect(errorCode { _ = try scope.connection.defineNWFilter(xml: xml) } == .xmlInvalidSchema)
    }

    @Test func bindingAppliesAFilterToAPortUntilDeleted() throws {
        let scope = try DaemonScope("nwfb")
        defer { scope.clean() }
        let filterName = scope.name("web")
        _ = try scope.connection.defineNWFilter(xml: """
            <filter name='\(filterName)' chain='ipv4'>
              <rule action='accept' direction='in' priority='500'><tcp dstportstart='$PORT'/></rule>
            </filter>
            """)
        // A port device name has at most 15 characters (IFNAMSIZ), too few for the
        // scope's prefix; the owner carries it, and no such device exists on the host.
        let portDevice = "vmctltcov\(ProcessInfo.processInfo.processIdentifier % 100_000)"
        let binding = try scope.connection.createNWFilterBinding(xml: """
            <filterbinding>
              <owner><name>\(scope.name("owner"))</name><uuid>\(UUID().uuidString.lowercased())</uuid></owner>
              <portdev name='\(portDevice)'/>
              <mac address='52:54:00:7b:35:93'/>
              <filterref filter='\(filterName)'>
                <parameter name='PORT' value='8080'/>
              </filterref>
            </filterbinding>
            """)
        #expect(binding.portDevice == portDevice)
        #expect(binding.filterName == filterName)
        let xml = try binding.xml()
        #expect(xml.contains("<parameter name='PORT' value='8080'/>"))
        #expect(xml.contains("52:54:00:7b:35:93"))

        #expect(try scope.connection.nwFilterBindings().contains { $0.portDevice == portDevice })
        let found = try scope.connection.nwFilterBinding(portDevice: portDevice)
        #expect(found.filterName == filterName)

        try found.delete()
        #expect(errorCode { _ = try scope.connection.nwFilterBinding(portDevice: portDevice) } == .noNWFilterBinding)
        #expect(try !scope.connection.nwFilterBindings().contains { $0.portDevice == portDevice })
        try scope.connection.nwFilter(named: filterName).undefine()
    }
}
