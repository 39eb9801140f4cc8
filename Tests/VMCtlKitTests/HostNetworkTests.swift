import LibvirtXML
import Testing
@testable import VMCtlKit

@Suite struct HostNetworkParserTests {
    @Test func routesFromProcNetRoute() throws {
        let routes = HostNetworkParsers.routes(procNetRoute: try Fixture.text("hostnet/route.txt"))
        #expect(routes.map { "\($0.destination) \($0.interface)" } == [
            "0.0.0.0/0 eth0", "192.0.2.0/24 eth0", "192.168.122.0/24 virbr0", "10.16.0.0/16 wg0",
        ])
    }

    @Test func routesSkipJunk() {
        #expect(HostNetworkParsers.routes(procNetRoute: "Iface\tDestination\nbad line\neth0 ZZ 0 0 0 0 0 00FFFFFF\n").isEmpty)
        #expect(HostNetworkParsers.routes(procNetRoute: "").isEmpty)
    }

    @Test func addressesFromIPJSON() throws {
        let addresses = try HostNetworkParsers.addresses(ipJSON: try Fixture.text("hostnet/ip-addr.json"))
        #expect(addresses.map { "\($0.address) \($0.interface)" } == [
            "127.0.0.1/8 lo", "::1/128 lo", "192.0.2.2/24 eth0", "fd00::2/64 eth0", "10.9.8.7/32 tun9",
        ])
        #expect(throws: (any Error).self) { try HostNetworkParsers.addresses(ipJSON: "not json") }
    }

    func conflict(_ cidr: String, networks: [(String, String)] = [("lab-mgmt", "10.77.0.1/24")]) throws -> String? {
        let host = HostNetworkState(
            addresses: try HostNetworkParsers.addresses(ipJSON: try Fixture.text("hostnet/ip-addr.json")),
            routes: HostNetworkParsers.routes(procNetRoute: try Fixture.text("hostnet/route.txt")))
        let libvirtNetworks = try networks.map { (name: $0.0, subnet: try IPNetwork(cidr: $0.1)) }
        return SubnetConflict.first(for: try IPNetwork(cidr: cidr), networks: libvirtNetworks, host: host)?.description
    }

    @Test func overlapDetection() throws {
        #expect(try conflict("10.77.0.0/24") == "network 'lab-mgmt' (10.77.0.0/24)")
        #expect(try conflict("10.77.0.128/25") == "network 'lab-mgmt' (10.77.0.0/24)")
        #expect(try conflict("10.0.0.0/8") == "network 'lab-mgmt' (10.77.0.0/24)")
        #expect(try conflict("192.0.2.128/25") == "address 192.0.2.2/24 on eth0")
        #expect(try conflict("10.9.8.0/24") == "address 10.9.8.7/32 on tun9")
        #expect(try conflict("127.1.0.0/16") == "address 127.0.0.1/8 on lo")
        #expect(try conflict("192.168.122.0/24") == "route 192.168.122.0/24 on virbr0")
        #expect(try conflict("10.16.4.0/24") == "route 10.16.0.0/16 on wg0")
        #expect(try conflict("fd00::/48") == "address fd00::2/64 on eth0")
        // The default route covers everything and is never a conflict; neighbours do not overlap.
        #expect(try conflict("10.78.0.0/24") == nil)
        #expect(try conflict("10.77.1.0/24") == nil)
        #expect(try conflict("fd01::/64") == nil)
    }
}
