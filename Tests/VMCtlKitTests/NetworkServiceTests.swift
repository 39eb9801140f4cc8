import Foundation
import Libvirt
import LibvirtXML
import Testing
@testable import VMCtlKit

@Suite struct NetworkServiceTests {
    func service() throws -> NetworkService {
        NetworkService(connection: try Fixture.connection(), host: { Fixture.host })
    }

    func names(_ service: NetworkService) throws -> [String] {
        try service.connection.networks().map(\.name).sorted()
    }

    /// Each invalid request: the exact one-line message, exit 64, and no network created.
    @Test(arguments: [
        (NetworkCreateRequest(name: "a b", mode: .nat, subnet: "10.1.0.0/24"),
         #"name: "a b" is not allowed: use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most 64 characters"#),
        (NetworkCreateRequest(name: "lab-mgmt", mode: .nat, subnet: "10.1.0.0/24"), "name: a network named 'lab-mgmt' already exists"),
        (NetworkCreateRequest(name: "n", mode: .nat), "--subnet: required for nat networks: give a CIDR such as 192.168.100.0/24"),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.1.0.0"),
         #"--subnet: "10.1.0.0" is not allowed: write address/prefix, e.g. 192.168.100.0/24 or fd00::/64"#),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.1.0.0/33"), #"--subnet: "33" is not allowed: prefix length must be 0–32"#),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.1.0.7/24"),
         #"--subnet: "10.1.0.7/24" is not allowed: host bits must be zero; write 10.1.0.0/24"#),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.1.0.0/31"), "--subnet: 10.1.0.0/31 is too small: use a prefix of /30 or shorter"),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.77.0.0/16"), "--subnet: 10.77.0.0/16 overlaps network 'lab-mgmt' (10.77.0.0/24)"),
        (NetworkCreateRequest(name: "n", mode: .isolated, subnet: "192.0.2.0/28"), "--subnet: 192.0.2.0/28 overlaps address 192.0.2.2/24 on eth0"),
        (NetworkCreateRequest(name: "n", mode: .route, subnet: "10.16.3.0/24"), "--subnet: 10.16.3.0/24 overlaps route 10.16.0.0/16 on wg0"),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.1.0.0/24", dhcpRange: "10.1.0.50"),
         #"--dhcp-range: "10.1.0.50" is not allowed: write START-END, e.g. 192.168.100.100-192.168.100.200"#),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.1.0.0/24", dhcpRange: "10.1.0.50-10.1.1.9"),
         #"--dhcp-range: "10.1.0.50-10.1.1.9" is not allowed: must lie inside the subnet 10.1.0.0/24"#),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.1.0.0/24", dhcpRange: "10.1.0.90-10.1.0.50"),
         #"--dhcp-range: "10.1.0.90-10.1.0.50" is not allowed: start must not be after end"#),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.1.0.0/24", dhcpRange: "10.1.0.1-10.1.0.50"),
         #"--dhcp-range: "10.1.0.1-10.1.0.50" is not allowed: must not contain the gateway 10.1.0.1"#),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.100.0.0/15", dhcpRange: "10.100.0.2-10.101.0.9"),
         #"--dhcp-range: "10.100.0.2-10.101.0.9" is not allowed: libvirt allows at most 65535 addresses: start and end must share one /16"#),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.1.0.0/24", dhcpRange: "10.1.0.9-10.1.0.50", dhcp: false),
         "--dhcp-range: cannot be combined with --no-dhcp"),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.1.0.0/24", domain: "lab corp"),
         #"--domain: "lab corp" is not allowed: must be a DNS name: letters, digits, '-', '.'; not starting with '-' or '.'"#),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.1.0.0/24", bridge: "eth0"),
         "--bridge: 'eth0' already exists on this host; libvirt creates the bridge of nat networks itself (use --mode bridge to attach to an existing one)"),
        (NetworkCreateRequest(name: "n", mode: .nat, subnet: "10.1.0.0/24", bridge: "a-very-long-bridge-name"),
         #"--bridge: "a-very-long-bridge-name" is not allowed: must be a Linux interface name: 1–15 characters, no spaces, '/' or ':'"#),
        (NetworkCreateRequest(name: "n", mode: .bridge), "--bridge: bridge mode needs the name of an existing host bridge"),
        (NetworkCreateRequest(name: "n", mode: .bridge, bridge: "eth0"), "--bridge: 'eth0' is not a bridge on this host (no /sys/class/net/eth0/bridge)"),
        (NetworkCreateRequest(name: "n", mode: .bridge, subnet: "10.1.0.0/24", bridge: "br-lab"),
         "--subnet: not allowed in bridge mode: guests get their addresses from the host bridge's LAN"),
    ])
    func invalidCreateRequests(request: NetworkCreateRequest, message: String) throws {
        let service = try service()
        let before = try names(service)
        let error = vmctlError { () throws(VMCtlError) in try service.create(request) }
        #expect(error?.message == message)
        #expect(error?.status == .usage)
        #expect(!(error?.message.contains("\n") ?? true))
        #expect(try names(service) == before)
    }

    @Test func createNATDefaultsAndDelete() throws {
        let service = try service()
        let summary = try service.create(NetworkCreateRequest(name: "lab-ext", mode: .nat, subnet: "10.1.0.0/24", autostart: true))
        #expect(summary.name == "lab-ext")
        #expect(summary.mode == "nat")
        #expect(summary.subnet == "10.1.0.0/24")
        #expect(summary.active && summary.autostart && summary.persistent)
        let detail = try service.show("lab-ext")
        #expect(detail.gateway == "10.1.0.1")
        #expect(detail.dhcpRanges == [AddressRange(start: "10.1.0.2", end: "10.1.0.254")])
        #expect(try service.list().map(\.name) == ["lab-ext", "lab-mgmt"])
        #expect(try service.delete("lab-ext", force: false) == ActionResult(kind: "network", name: "lab-ext", action: "deleted"))
        #expect(try names(service) == ["lab-mgmt"])
    }

    @Test func createIsolatedWithRangeDomainNoStart() throws {
        let service = try service()
        let summary = try service.create(
            NetworkCreateRequest(
                name: "lab-int", mode: .isolated, subnet: "10.2.0.0/24", dhcpRange: "10.2.0.100-10.2.0.150", domain: "lab.test",
                start: false))
        #expect(summary.mode == "isolated")
        #expect(!summary.active)
        let definition = try NetworkDefinition(xml: try service.connection.network(named: "lab-int").xml())
        #expect(definition.forward == .isolated)
        #expect(definition.domainName == "lab.test")
        #expect(definition.ips.first?.dhcpRanges.map { "\($0.start)-\($0.end)" } == ["10.2.0.100-10.2.0.150"])
        #expect(try service.start("lab-int").action == "started")
        #expect(try service.show("lab-int").active)
        #expect(try service.stop("lab-int").action == "stopped")
        _ = try service.delete("lab-int", force: false)
        #expect(try names(service) == ["lab-mgmt"])
    }

    /// libvirt limits a range to one /16 (IPv4) or /112 (IPv6); the default range of a larger subnet is cut there.
    @Test func defaultRangeOfLargeSubnetsFitsLibvirt() throws {
        let service = try service()
        _ = try service.create(NetworkCreateRequest(name: "big4", mode: .isolated, subnet: "10.100.0.0/15"))
        #expect(try service.show("big4").dhcpRanges == [AddressRange(start: "10.100.0.2", end: "10.100.255.255")])
        _ = try service.create(NetworkCreateRequest(name: "big6", mode: .isolated, subnet: "fd42::/64"))
        let v6 = try service.show("big6")
        #expect(v6.subnet == "fd42::/64")
        #expect(v6.gateway == "fd42::1")
        #expect(v6.dhcpRanges == [AddressRange(start: "fd42::2", end: "fd42::ffff")])
    }

    @Test func createNoDHCPAndBridgeMode() throws {
        let service = try service()
        _ = try service.create(NetworkCreateRequest(name: "quiet", mode: .open, subnet: "10.3.0.0/24", dhcp: false))
        #expect(try service.show("quiet").dhcpRanges.isEmpty)
        let bridged = try service.create(NetworkCreateRequest(name: "lan", mode: .bridge, bridge: "br-lab"))
        #expect(bridged.mode == "bridge")
        #expect(bridged.bridge == "br-lab")
        #expect(bridged.subnet == nil)
        let definition = try NetworkDefinition(xml: try service.connection.network(named: "lan").xml())
        #expect(definition.forward == .bridge)
        #expect(definition.ips.isEmpty)
    }

    /// A failed start undefines what create defined, and reports libvirt's error with its code.
    @Test func rollbackWhenStartFails() throws {
        var service = try service()
        service.startNetwork = { _ in
            throw LibvirtError(code: .operationFailed, message: "forced start failure")
        }
        let error = vmctlError { () throws(VMCtlError) in
            try service.create(NetworkCreateRequest(name: "doomed", mode: .nat, subnet: "10.4.0.0/24", autostart: true))
        }
        #expect(error?.message
            == "starting network 'doomed' failed, so its definition was removed: forced start failure (libvirt error operation-failed, code 9)")
        #expect(error?.status == .failure)
        #expect(try names(service) == ["lab-mgmt"])
    }

    @Test func deleteRefusesNetworkInUseUnlessForced() throws {
        let service = try service()
        #expect(try service.domainsUsing("lab-mgmt") == ["lab-controller"])
        let error = vmctlError { () throws(VMCtlError) in try service.delete("lab-mgmt", force: false) }
        #expect(error?.message == "network 'lab-mgmt' is in use by running domain 'lab-controller'; stop it or use --force")
        #expect(try names(service) == ["lab-mgmt"])
        _ = try service.delete("lab-mgmt", force: true)
        #expect(try names(service).isEmpty)
    }

    @Test func missingNetworkIsUsageError() throws {
        let service = try service()
        let errors = [
            vmctlError { () throws(VMCtlError) in try service.show("nope") }?.message,
            vmctlError { () throws(VMCtlError) in try service.start("nope") }?.message,
            vmctlError { () throws(VMCtlError) in try service.delete("nope", force: false) }?.message,
            vmctlError { () throws(VMCtlError) in try service.leases("nope") }?.message,
            vmctlError { () throws(VMCtlError) in try service.reserve("nope", mac: "52:54:00:00:00:01", ip: "10.77.0.5", host: nil) }?.message,
        ]
        #expect(errors == Array(repeating: "network: no network named 'nope'", count: 5))
        #expect(vmctlError { () throws(VMCtlError) in try service.stop("nope") }?.status == .usage)
    }

    @Test func reserveAndUnreserve() throws {
        let service = try service()
        let reservation = try service.reserve("lab-mgmt", mac: "52:54:00:00:00:21", ip: "10.77.0.21", host: "compute1")
        #expect(reservation == NetworkReservation(mac: "52:54:00:00:00:21", ip: "10.77.0.21", host: "compute1"))
        let xml = try service.connection.network(named: "lab-mgmt").xml()
        #expect(xml.contains("<host mac='52:54:00:00:00:21' name='compute1' ip='10.77.0.21'/>"))
        #expect(try service.show("lab-mgmt").reservations == [reservation])
        let removed = try service.unreserve("lab-mgmt", mac: "52:54:00:00:00:21")
        #expect(removed == reservation)
        #expect(try service.show("lab-mgmt").reservations.isEmpty)
    }

    @Test(arguments: [
        ("zz:54:00:00:00:01", "10.77.0.30", nil as String?,
         #"--mac: "zz:54:00:00:00:01" is not allowed: write six pairs of hex digits separated by ':', e.g. 52:54:00:12:34:56"#),
        ("52:54:00:00:00:30", "10.77.0.300", nil,
         #"--ip: "10.77.0.300" is not allowed: write an IPv4 address (192.168.1.10) or an IPv6 address (fd00::10)"#),
        ("52:54:00:00:00:30", "10.78.0.30", nil,
         "--ip: 10.78.0.30 is not a host address of network 'lab-mgmt': use one inside 10.77.0.0/24 other than the gateway 10.77.0.1 and the broadcast address"),
        ("52:54:00:00:00:30", "10.77.0.1", nil,
         "--ip: 10.77.0.1 is not a host address of network 'lab-mgmt': use one inside 10.77.0.0/24 other than the gateway 10.77.0.1 and the broadcast address"),
        ("52:54:00:00:00:30", "10.77.0.21", nil, "--ip: 10.77.0.21 is already reserved on network 'lab-mgmt' for 52:54:00:00:00:21"),
        ("52:54:00:00:00:21", "10.77.0.30", nil,
         "--mac: 52:54:00:00:00:21 already has a reservation on network 'lab-mgmt' (10.77.0.21); remove it with net unreserve first"),
        ("52:54:00:00:00:30", "10.77.0.30", "compute1", "--host: 'compute1' already has a reservation on network 'lab-mgmt'"),
        ("52:54:00:00:00:30", "10.77.0.30", "bad name", #"--host: "bad name" is not allowed: use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most 64 characters"#),
    ])
    func invalidReservations(mac: String, ip: String, host: String?, message: String) throws {
        let service = try service()
        _ = try service.reserve("lab-mgmt", mac: "52:54:00:00:00:21", ip: "10.77.0.21", host: "compute1")
        let before = try service.connection.network(named: "lab-mgmt").xml()
        let error = vmctlError { () throws(VMCtlError) in try service.reserve("lab-mgmt", mac: mac, ip: ip, host: host) }
        #expect(error?.message == message)
        #expect(error?.status == .usage)
        #expect(try service.connection.network(named: "lab-mgmt").xml() == before)
    }

    @Test func unreserveUnknownMAC() throws {
        let service = try service()
        let error = vmctlError { () throws(VMCtlError) in try service.unreserve("lab-mgmt", mac: "52:54:00:00:00:99") }
        #expect(error?.message == "--mac: network 'lab-mgmt' has no reservation for 52:54:00:00:00:99")
        #expect(error?.status == .usage)
    }

    @Test func hostXMLEscapesThroughTheWriter() {
        let xml = NetworkService.hostXML(DHCPHost(mac: try! MACAddress("52:54:00:aa:bb:cc"), name: "web1", ip: try! IPAddress("10.0.0.5")))
        #expect(xml == "<host mac='52:54:00:aa:bb:cc' name='web1' ip='10.0.0.5'/>\n")
    }
}
