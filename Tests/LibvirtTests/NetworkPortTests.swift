import Foundation
import Libvirt
import Testing

/// Ports of a running virtual network on the real daemon (the test driver has no ports).
@Suite(.enabled(if: SystemDaemon.enabled)) struct NetworkPortTests {
    func portXML(owner: String, mac: String, uuid: String = UUID().uuidString.lowercased()) -> String {
        """
        <networkport>
          <uuid>\(uuid)</uuid>
          <owner><name>\(owner)</name><uuid>\(UUID().uuidString.lowercased())</uuid></owner>
          <mac address='\(mac)'/>
          <bandwidth><inbound average='1000' peak='2000' burst='512'/></bandwidth>
        </networkport>
        """
    }

    @Test func createListLookUpChangeAndDeleteAPort() throws {
        let scope = try DaemonScope("port")
        defer { scope.clean() }
        let network = try scope.startIsolatedNetwork("net")
        #expect(try network.ports().isEmpty)

        let uuid = UUID().uuidString.lowercased()
        let port = try network.createPort(xml: portXML(owner: scope.name("owner"), mac: "52:54:00:c0:00:01", uuid: uuid))
        #expect(port.network === network)
        #expect(try port.uuid() == uuid)
        let xml = try port.xml()
        #expect(xml.contains("<mac address='52:54:00:c0:00:01'/>"))
        #expect(xml.contains("<name>\(scope.name("owner"))</name>"))
        #expect(try network.ports().map { try $0.uuid() } == [uuid])
        #expect(try network.port(uuid: uuid).xml().contains("52:54:00:c0:00:01"))

        let before = try port.parameters()
        #expect(before["inbound.average"] == .uint(1000))
        #expect(before["inbound.peak"] == .uint(2000))
        #expect(before["inbound.burst"] == .uint(512))
        try port.setParameters(["inbound.average": .uint(4000), "outbound.average": .uint(3000)])
        let after = try network.port(uuid: uuid).parameters()
        #expect(after["inbound.average"] == .uint(4000))
        #expect(after["outbound.average"] == .uint(3000))
        #expect(try port.xml().contains("average='4000'"))

        try port.delete()
        #expect(try network.ports().isEmpty)
        #expect(errorCode { _ = try network.port(uuid: uuid) } == .noNetworkPort)
    }

    @Test func portsOfAStoppedNetworkAreRefusedWithLibvirtsError() throws {
        let scope = try DaemonScope("portoff")
        defer { scope.clean() }
        let network = try scope.startIsolatedNetwork("net")
        try network.destroy()
        let code = errorCode { _ = try network.createPort(xml: portXML(owner: scope.name("owner"), mac: "52:54:00:c0:00:02")) }
        #expect(code == .operationInvalid)
    }
}
