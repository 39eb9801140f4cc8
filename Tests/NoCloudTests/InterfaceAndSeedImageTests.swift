import Foundation
import NoCloud
import Testing
import Yams

/// NICs named by the plan: every NIC matched by MAC and renamed, the first by
/// DHCP, the others up with no address; and a clone's seed made from its source's.
@Suite struct InterfaceTests {
    static let nics = [
        SeedConfig.Interface(mac: "52:54:00:AA:00:01", name: "ens3", ipv4: .dhcp),
        SeedConfig.Interface(mac: "52:54:00:aa:00:02", name: "ens4", ipv4: .unconfigured),
        SeedConfig.Interface(mac: "52:54:00:aa:00:03", name: "stor0", ipv4: .fixed(address: "10.9.0.5", prefix: 24)),
    ]

    @Test func everyNICIsMatchedAndNamed() throws {
        var config = minimalConfig()
        config.interfaces = Self.nics
        let text = try #require(try config.networkConfig())
        #expect(text == """
            version: 1
            config:
            - type: physical
              name: ens3
              mac_address: '52:54:00:aa:00:01'
              subnets:
              - type: dhcp
            - type: physical
              name: ens4
              mac_address: '52:54:00:aa:00:02'
              subnets:
              - type: manual
                control: auto
            - type: physical
              name: stor0
              mac_address: '52:54:00:aa:00:03'
              subnets:
              - type: static
                address: '10.9.0.5/24'

            """)
    }

    /// cloud-init's own ENI renderer (Debian's): each NIC renamed by a udev
    /// rule on its MAC, the first by DHCP, the second up with no address.
    @Test func debianRendererRenamesAndLeavesTheProviderNICUnaddressed() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = minimalConfig()
        config.interfaces = Self.nics
        try #require(try config.networkConfig()).write(toFile: dir + "/network-config", atomically: true, encoding: .utf8)
        let run = try runTool("cloud-init", ["devel", "net-convert", "-p", dir + "/network-config", "-k", "yaml",
                                             "-d", dir + "/out", "-D", "debian", "-O", "eni"])
        #expect(run.status == 0, "\(run.stderr)")
        let eni = (try? String(contentsOfFile: dir + "/out/etc/network/interfaces.d/50-cloud-init", encoding: .utf8)) ?? ""
        let rules = (try? String(contentsOfFile: dir + "/out/etc/udev/rules.d/70-persistent-net.rules", encoding: .utf8)) ?? ""
        for (mac, name) in [("52:54:00:aa:00:01", "ens3"), ("52:54:00:aa:00:02", "ens4"), ("52:54:00:aa:00:03", "stor0")] {
            #expect(rules.contains("ATTR{address}==\"\(mac)\", NAME=\"\(name)\""), "\(rules)")
        }
        #expect(eni.contains("iface ens3 inet dhcp"), "\(eni)")
        #expect(eni.contains("auto ens4\niface ens4 inet manual"), "the provider NIC is brought up: \(eni)")
        #expect(eni.contains("iface stor0 inet static") && eni.contains("address 10.9.0.5/24"), "\(eni)")
    }

    @Test func badInterfacesAreNamedByField() {
        var config = minimalConfig()
        config.interfaces = [
            .init(mac: "52:54:00:00:00", name: "0bad", ipv4: .fixed(address: "10.0.0.300", prefix: 40)),
            .init(mac: "52:54:00:00:00:02", name: "eth1", ipv4: .dhcp),
            .init(mac: "52:54:00:00:00:02", name: "eth1", ipv4: .dhcp),
        ]
        #expect(config.validationErrors().map(\.description) == [
            "interfaces[0].mac: must be six hex pairs separated by colons, such as 52:54:00:12:34:56",
            "interfaces[0].name: must be 1-15 letters, digits, _, . or -, not starting with a digit, . or -",
            "interfaces[0].address: must be an IPv4 address in dotted-quad form",
            "interfaces[0].prefix: must be 1-32",
            "interfaces: two interfaces have the same MAC address",
            "interfaces: two interfaces have the same name",
        ])
    }
}

@Suite struct SeedImageTests {
    func sourceSeed() throws -> Data {
        var config = fullConfig()
        config.staticNetwork = nil
        config.interfaces = InterfaceTests.nics
        return try config.isoImage(date: fixedDate)
    }

    @Test func readsBackWhatWasWritten() throws {
        var config = fullConfig()
        config.staticNetwork = nil
        config.interfaces = InterfaceTests.nics
        let image = try SeedImage(iso: try sourceSeed())
        #expect(image.userData == (try config.userData()))
        #expect(image.metaData == (try config.metaData()))
        #expect(image.networkConfig == (try config.networkConfig()))
        #expect(image.vendorData == nil)
    }

    @Test func aCloneGetsItsOwnNameInstanceAndMACs() throws {
        let image = try SeedImage(iso: try sourceSeed())
        let boot = SeedConfig.Command.argv(["cloud-init-per", "instance", "x", "true"])
        let clone = try image.reidentified(
            hostname: "web2", instanceID: "web2-0001",
            macs: ["52:54:00:aa:00:01": "52:54:00:bb:00:01", "52:54:00:AA:00:02": "52:54:00:bb:00:02"], bootcmd: [boot])
        #expect(clone.metaData == "instance-id: web2-0001\nlocal-hostname: web2\n")
        let user = try #require(try Yams.load(yaml: clone.userData) as? [String: Any])
        #expect(clone.userData.hasPrefix("#cloud-config\n"))
        #expect(user["hostname"] as? String == "web2")
        #expect(user["fqdn"] as? String == "web2.lab.example")
        #expect((user["ssh_authorized_keys"] as? [String]) == [edKey, rsaKey])
        #expect((user["bootcmd"] as? [[String]]) == [["cloud-init-per", "instance", "x", "true"]])
        let net = try #require(clone.networkConfig)
        #expect(net.contains("mac_address: '52:54:00:bb:00:01'") && net.contains("mac_address: '52:54:00:bb:00:02'"))
        #expect(net.contains("mac_address: '52:54:00:aa:00:03'"), "an unmapped MAC stays")
        #expect(!net.contains("52:54:00:aa:00:01"))
        // The clone's seed passes cloud-init's schema and reads back.
        let reread = try SeedImage(iso: try clone.isoImage(date: fixedDate))
        #expect(reread == clone)
        #expect(try cloudInitSchema(clone.userData).status == 0)
    }

    @Test func aScriptUserDataStaysAndTheBootCommandGoesToVendorData() throws {
        let script = "#!/bin/sh\necho hello\n"
        let image = SeedImage(userData: script, metaData: "instance-id: a\nlocal-hostname: a\n")
        let clone = try image.reidentified(hostname: "b", instanceID: "b-1", macs: [:], bootcmd: [.shell("true")])
        #expect(clone.userData == script)
        #expect(clone.vendorData == "#cloud-config\nbootcmd:\n- 'true'\n")
    }

    @Test func aBadHostNameOrNonSeedIsRefused() throws {
        let image = try SeedImage(iso: try sourceSeed())
        #expect(throws: NoCloudError.self) { try image.reidentified(hostname: "bad_name", instanceID: "x", macs: [:]) }
        let other = try ISO9660Writer(volumeLabel: "OTHER", files: [.init(name: "user-data", contents: Data())], date: fixedDate).image()
        #expect(throws: NoCloudError.self) { try SeedImage(iso: other) }
        #expect(throws: NoCloudError.self) { try SeedImage(iso: Data("not an iso".utf8)) }
    }
}
