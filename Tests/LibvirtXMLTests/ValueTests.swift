import Foundation
import Testing
@testable import LibvirtXML

@Suite("Values and validation")
struct ValueTests {
    @Test("Sizes in libvirt's units", arguments: [
        ("512M", UInt64(512) << 20), ("2G", UInt64(2) << 30), ("2GiB", UInt64(2) << 30), ("1.5T", UInt64(3) << 39),
        ("1024", 1024), ("10 KiB", 10240), ("1GB", 1_000_000_000), ("1KB", 1000), ("3mb", 3_000_000), ("7b", 7),
        ("5 bytes", 5), (" 4k ", 4096), ("0.5K", 512), ("1TiB", UInt64(1) << 40), ("2MiB", UInt64(2) << 20),
    ])
    func sizes(_ text: String, _ bytes: UInt64) throws {
        #expect(try ByteSize(parsing: text).bytes == bytes)
    }

    @Test("Bad sizes are rejected with the field and rule", arguments: [
        "", "-1", "-5M", "abc", "1.2.3G", "1,5G", "G", "5 X", "1.", ".5G", "1e3", "0.1K", "99999999999999999999", "18446744073709551615K",
        "1 2", "1\u{0}M", "16E", "16EiB",
    ])
    func badSizes(_ text: String) {
        #expect {
            try ByteSize(parsing: text, field: "memory")
        } throws: { error in
            guard let e = error as? ModelError else { return false }
            return e.field == "memory" && !e.rule.isEmpty && !e.description.contains("\n")
        }
    }

    @Test("Size descriptions pick the largest exact binary unit")
    func sizeDescription() {
        #expect(ByteSize.gib(2).description == "2 GiB")
        #expect(ByteSize.mib(1536).description == "1536 MiB")
        #expect(ByteSize(bytes: 1000).description == "1000 bytes")
    }

    @Test("MAC addresses parse, print lower-case and reject multicast and garbage")
    func macAddresses() throws {
        #expect(try MACAddress("52:54:00:AB:cd:EF").description == "52:54:00:ab:cd:ef")
        for bad in ["", "52:54:00:ab:cd", "52:54:00:ab:cd:ef:01", "52-54-00-ab-cd-ef", "5:54:00:ab:cd:ef", "52:54:00:ab:cd:eg", "01:00:5e:00:00:01"] {
            #expect(throws: ModelError.self) { try MACAddress(bad) }
        }
    }

    @Test("Random MACs are in 52:54:00 and reproducible with a seeded generator")
    func randomMAC() throws {
        var a = SplitMix64(seed: 42)
        var b = SplitMix64(seed: 42)
        var seen = Set<MACAddress>()
        for _ in 0..<500 {
            let mac = MACAddress.random(using: &a)
            #expect(Array(mac.octets.prefix(3)) == MACAddress.qemuPrefix)
            #expect(mac == MACAddress.random(using: &b))
            #expect(try MACAddress(mac.description) == mac)
            seen.insert(mac)
        }
        #expect(seen.count > 490)
        #expect(Array(MACAddress.random().octets.prefix(3)) == [0x52, 0x54, 0x00])
    }

    @Test("UUIDs: dashed or plain hex, written lower-case")
    func uuids() throws {
        let u = try parseLibvirtUUID("3F1C2A4E-5B6D-4E7F-8A9B-0C1D2E3F4A5B")
        #expect(try parseLibvirtUUID("3f1c2a4e5b6d4e7f8a9b0c1d2e3f4a5b") == u)
        #expect(u.libvirtString == "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b")
        for bad in ["", "3f1c2a4e", "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5", "zz1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"] {
            #expect(throws: ModelError.self) { try parseLibvirtUUID(bad) }
        }
        #expect(throws: ModelError.self) { try DomainDefinition(xml: "<domain type='kvm'><name>a</name><uuid>nope</uuid><memory>1</memory><os><type>hvm</type></os></domain>") }
    }

    @Test("IPv4 CIDR: network, gateway, last usable, default DHCP range")
    func ipv4() throws {
        let n = try IPNetwork(cidr: "192.168.100.77/24")
        #expect(n.network.description == "192.168.100.0")
        #expect(n.gateway?.description == "192.168.100.1")
        #expect(n.lastUsable?.description == "192.168.100.254")
        #expect(n.lastAddress.description == "192.168.100.255")
        #expect(n.netmask == "255.255.255.0")
        #expect(n.defaultDHCPRange == DHCPRange(start: try IPAddress("192.168.100.2"), end: try IPAddress("192.168.100.254")))
        #expect(n.contains(try IPAddress("192.168.100.200")))
        #expect(!n.contains(try IPAddress("192.168.101.1")))
        #expect(!n.contains(try IPAddress("fd00::1")))
        let small = try IPNetwork(cidr: "10.0.0.0/30")
        #expect(small.gateway?.description == "10.0.0.1")
        #expect(small.defaultDHCPRange == DHCPRange(start: try IPAddress("10.0.0.2"), end: try IPAddress("10.0.0.2")))
        #expect(try IPNetwork(cidr: "10.0.0.0/32").gateway == nil)
        #expect(try IPNetwork(address: try IPAddress("10.1.2.3"), netmask: "255.255.0.0").prefixLength == 16)
        #expect(throws: ModelError.self) { try IPNetwork(address: try IPAddress("10.1.2.3"), netmask: "255.0.255.0") }
    }

    @Test("IPv6 CIDR")
    func ipv6() throws {
        let n = try IPNetwork(cidr: "fd00:100::1/64")
        #expect(n.network.description == "fd00:100::")
        #expect(n.gateway?.description == "fd00:100::1")
        #expect(n.lastUsable?.description == "fd00:100::ffff:ffff:ffff:ffff")
        #expect(n.contains(try IPAddress("fd00:100::abcd")))
        #expect(!n.contains(try IPAddress("fd00:101::1")))
        #expect(try IPAddress("FD00:0:0:0:0:0:0:1").description == "fd00::1")
    }

    @Test("Bad addresses and CIDRs are rejected", arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1", "/24", "fd00::/129",
        "fd00:::1/64", "fd00::1/64/1", "1.2.3.4/2 4", "x/24",
    ])
    func badCIDR(_ text: String) {
        #expect(throws: ModelError.self) { try IPNetwork(cidr: text) }
    }

    @Test("Overlapping subnets are detected")
    func overlaps() throws {
        let a = try IPNetwork(cidr: "10.0.0.0/16")
        #expect(a.overlaps(try IPNetwork(cidr: "10.0.5.0/24")))
        #expect(try IPNetwork(cidr: "10.0.5.0/24").overlaps(a))
        #expect(!a.overlaps(try IPNetwork(cidr: "10.1.0.0/16")))
        #expect(!a.overlaps(try IPNetwork(cidr: "fd00::/8")))
        #expect(try IPNetwork(cidr: "fd00::/64").overlaps(try IPNetwork(cidr: "fd00::8000/120")))
        let list = try ["192.168.1.0/24", "192.168.2.0/24", "192.168.1.128/25"].map { try IPNetwork(cidr: $0) }
        let pair = try #require(IPNetwork.firstOverlap(in: list))
        #expect(pair.0.description == "192.168.1.0/24" && pair.1.description == "192.168.1.128/25")
        #expect(IPNetwork.firstOverlap(in: Array(list.prefix(2))) == nil)
    }

    @Test("Networks report the subnets they overlap with")
    func networkOverlaps() throws {
        let nat = try NetworkDefinition(xml: try fixture("network/nat.xml"))
        #expect(nat.subnets.map(\.description) == ["192.168.100.0/24", "fd00:100::/64"])
        let clash = NetworkDefinition(name: "other", ips: [NetworkIP(address: try IPNetwork(cidr: "192.168.100.129/25"))])
        let pairs = nat.overlappingSubnets(with: clash)
        #expect(pairs.count == 1)
        #expect(pairs.first?.1.description == "192.168.100.128/25")
        let isolated = try NetworkDefinition(xml: try fixture("network/isolated.xml"))
        #expect(nat.overlappingSubnets(with: isolated).isEmpty)
    }

    @Test("DHCP ranges must lie in the subnet and avoid the gateway")
    func dhcpRanges() throws {
        let n = try IPNetwork(cidr: "192.168.100.1/24")
        func range(_ a: String, _ b: String) throws -> DHCPRange { DHCPRange(start: try IPAddress(a), end: try IPAddress(b)) }
        try n.validate(try range("192.168.100.2", "192.168.100.254"))
        for (a, b) in [
            ("192.168.100.1", "192.168.100.20"), ("192.168.100.50", "192.168.101.10"), ("192.168.100.90", "192.168.100.80"),
            ("192.168.100.0", "192.168.100.10"), ("192.168.100.10", "192.168.100.255"), ("fd00::2", "fd00::9"),
        ] {
            #expect(throws: ModelError.self) { try n.validate(try range(a, b)) }
        }
        var network = NetworkDefinition(name: "n1", ips: [NetworkIP(address: n, dhcpRanges: [try range("192.168.100.1", "192.168.100.9")])])
        #expect(throws: ModelError(field: "ip[0].dhcp.range[0]", value: "192.168.100.1-192.168.100.9", rule: "must not contain the gateway 192.168.100.1")) {
            try network.xml()
        }
        network.ips = [NetworkIP(address: n), NetworkIP(address: try IPNetwork(cidr: "192.168.100.129/25"))]
        #expect(throws: ModelError.self) { try network.validate() }
    }

    @Test("Object names: allow-list", arguments: ["a", "web-1", "db_2", "node.lab1", "A9", "9", "_x", String(repeating: "a", count: 64)])
    func goodNames(_ name: String) throws {
        #expect(try ObjectName(name).rawValue == name)
    }

    @Test("Object names: everything else is rejected with the rule", arguments: [
        "", "-a", ".a", "a b", "a/b", "a<b", "a&b", "a'b", "a\"b", "a]]>", "é", "a\u{0}", "a\n", "a\t", "名前", "a:b", "a;b",
        "a$(x)", String(repeating: "a", count: 65), "a\u{7F}",
    ])
    func badNames(_ name: String) {
        #expect(throws: ModelError(field: "name", value: name, rule: ObjectName.rule)) { try ObjectName(name) }
    }

    @Test("Error descriptions are one line naming the field and the rule")
    func errorDescription() {
        let e = ModelError(field: "name", value: "a<b", rule: ObjectName.rule)
        #expect(e.description == #"name: "a<b" is not allowed: use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most 64 characters"#)
        let multi = ModelError(field: "title", value: "a\nb\u{1}\"", rule: "r")
        #expect(multi.description == #"title: "a\nb\u{1}\"" is not allowed: r"#)
        #expect(ModelError(field: "xml", rule: "bad").description == "xml: bad")
    }

    @Test("Domain validation names the field")
    func domainValidation() throws {
        var d = DomainDefinition(name: "v", memory: .gib(1))
        d.vcpus = 0
        #expect(throws: ModelError(field: "vcpu", value: "0", rule: "must be at least 1")) { try d.xml() }
        d.vcpus = 1
        d.memory = ByteSize(bytes: 1000)
        #expect { try d.xml() } throws: { ($0 as? ModelError)?.field == "memory" }
        d.memory = .gib(1)
        d.currentMemory = .gib(2)
        #expect { try d.xml() } throws: { ($0 as? ModelError)?.field == "currentMemory" }
        d.currentMemory = nil
        d.disks = [Disk(source: .file("/a"), target: "vda"), Disk(source: .file("/b"), target: "vda")]
        #expect { try d.xml() } throws: { ($0 as? ModelError)?.field == "devices.disk" }
        d.disks = [Disk(source: .file("/a"), target: "vda", bootOrder: 1)]
        d.os.bootDevices = [.hd]
        #expect { try d.xml() } throws: { ($0 as? ModelError)?.field == "os.boot" }
        d.os.bootDevices = []
        d.interfaces = [NetworkInterface(source: .network("bad\u{1}name"))]
        #expect { try d.xml() } throws: { ($0 as? ModelError)?.field == "devices.interface[0].source.network" }
        // A reference to an existing network made outside vmctl need not follow vmctl's naming rule.
        d.interfaces = [NetworkInterface(source: .network("legacy net <1>"))]
        let written = try d.xml()
        #expect(written.contains("<source network='legacy net &lt;1&gt;'/>"))
        #expect(try DomainDefinition(xml: written) == d)
        d.interfaces = []
        d.title = "two\nlines"
        #expect { try d.xml() } throws: { ($0 as? ModelError)?.field == "title" }
        d.title = nil
        d.graphics = [Graphics(listen: "localhost")]
        #expect { try d.xml() } throws: { ($0 as? ModelError)?.field == "devices.graphics[0].listen" }
    }

    @Test("Pools, volumes and networks check their rules")
    func otherValidation() {
        #expect { try StoragePoolDefinition(type: .netfs, name: "p", source: PoolSource(dir: "/x"), targetPath: "/mnt").xml() } throws: {
            ($0 as? ModelError)?.field == "source.host"
        }
        #expect { try StoragePoolDefinition(type: .dir, name: "p", targetPath: "relative").xml() } throws: {
            ($0 as? ModelError)?.field == "target.path"
        }
        #expect { try StoragePoolDefinition(type: .dir, name: "p", targetPath: "/x", permissions: Permissions(mode: "999")).xml() } throws: {
            ($0 as? ModelError)?.field == "target.permissions.mode"
        }
        #expect { try StorageVolumeDefinition(name: "v", capacity: .gib(1), allocation: .gib(2)).xml() } throws: {
            ($0 as? ModelError)?.field == "allocation"
        }
        #expect { try NetworkDefinition(name: "n", forward: .bridge).xml() } throws: { ($0 as? ModelError)?.field == "bridge.name" }
        #expect {
            try NetworkDefinition(name: "n", forward: .macvtap(device: "eth0"), ips: [NetworkIP(address: try IPNetwork(cidr: "10.0.0.1/24"))]).xml()
        } throws: { ($0 as? ModelError)?.field == "ip" }
        #expect { try NetworkDefinition(name: "n", bridge: BridgeSettings(name: "a-very-long-bridge-name")).xml() } throws: {
            ($0 as? ModelError)?.field == "bridge.name"
        }
    }

    @Test("NetworkIP(subnet:) takes the gateway and the default range")
    func networkIPFromSubnet() throws {
        let ip = try NetworkIP(subnet: try IPNetwork(cidr: "10.20.0.0/24"))
        #expect(ip.address.description == "10.20.0.1/24")
        #expect(ip.dhcpRanges == [DHCPRange(start: try IPAddress("10.20.0.2"), end: try IPAddress("10.20.0.254"))])
    }
}
