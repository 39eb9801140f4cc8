import Foundation
import Libvirt
import LibvirtXML
import Testing
import VMCtlKit

/// The built `vmctl` binary, beside the test bundle.
enum VMCtlBinary {
    static var path: String {
        let buildDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var executable = buildDirectory.appendingPathComponent("vmctl")
        if !FileManager.default.fileExists(atPath: executable.path) {
            executable = buildDirectory.deletingLastPathComponent().appendingPathComponent("vmctl")
        }
        return executable.path
    }

    /// Runs `vmctl … --connect qemu:///system`.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try IntegrationTests.run(path, arguments + ["--connect", Daemon.uri])
    }
}

/// What the host's firewall says about a subnet.
enum Firewall {
    /// Every NAT rule text the host has: `iptables -t nat -S` and `nft list ruleset` (whichever run).
    static func natRules() -> String {
        var text = ""
        if let result = try? IntegrationTests.run("/usr/sbin/iptables", ["-t", "nat", "-S"]) { text += result.output }
        if let result = try? IntegrationTests.run("/usr/sbin/nft", ["list", "ruleset"]) { text += result.output }
        return text
    }

    /// Lines that masquerade traffic from `subnet` (e.g. `10.201.77.0/24`).
    static func masqueradeLines(for subnet: String) -> [String] {
        natRules().split(separator: "\n").map(String.init).filter {
            $0.contains(subnet) && $0.lowercased().contains("masquerade")
        }
    }
}

/// Whether interface `name` exists and is administratively up (IFF_UP in /sys/class/net/NAME/flags).
func interfaceIsUp(_ name: String) -> Bool {
    guard let text = try? String(contentsOfFile: "/sys/class/net/\(name)/flags", encoding: .utf8),
        let flags = Int(text.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst(2), radix: 16)
    else { return false }
    return flags & 1 == 1
}

@Suite(.enabled(if: Daemon.enabled)) struct NetCommandTests {
    /// A bridge device that exists but belongs to no network (what a daemon
    /// killed while starting a network leaves): `net start` fails naming the
    /// bridge and how to remove it, and the network stays defined and inactive.
    @Test func startOverALeftoverBridgeNamesTheBridge() throws {
        let scope = try TestScope("netleft")
        defer { scope.clean() }
        let name = scope.name("net")
        let bridge = "vmctltestleft0"
        let created = try VMCtlBinary.run([
            "net", "create", name, "--mode", "isolated", "--subnet", "\(try scope.freeSubnet()).0/24", "--bridge", bridge, "--no-start",
        ])
        try #require(created.status == 0, "\(created.errors)")
        try #require(try run("/usr/sbin/ip", ["link", "add", bridge, "type", "bridge"]).status == 0)
        defer { _ = try? run("/usr/sbin/ip", ["link", "delete", bridge]) }

        let started = try VMCtlBinary.run(["net", "start", name])
        #expect(started.status == 1)
        #expect(started.errors.hasPrefix("vmctl: error: starting network '\(name)': "), "\(started.errors)")
        #expect(started.errors.contains("no network of this daemon uses \(bridge)"), "\(started.errors)")
        #expect(started.errors.contains("`ip link delete \(bridge)`"), "\(started.errors)")
        #expect(started.errors.contains("system-error"), "libvirt's code is kept: \(started.errors)")
        #expect(try !scope.connection.network(named: name).isActive())
    }

    @Test func natNetworkCreateThenDeleteLeavesNothing() throws {
        let scope = try TestScope("netnat")
        defer { scope.clean() }
        let prefix = try scope.freeSubnet()
        let subnet = "\(prefix).0/24"
        let name = scope.name("nat")

        let created = try VMCtlBinary.run(["net", "create", name, "--mode", "nat", "--subnet", subnet, "-o", "json"])
        #expect(created.status == 0, "\(created.errors)")
        let summary = try JSONDecoder().decode(NetworkSummary.self, from: Data(created.output.utf8))
        #expect(summary.active && summary.persistent && summary.mode == "nat" && summary.subnet == subnet)
        let bridge = try #require(summary.bridge)
        #expect(FileManager.default.fileExists(atPath: "/sys/class/net/\(bridge)/bridge"))
        #expect(interfaceIsUp(bridge))
        #expect(!Firewall.masqueradeLines(for: subnet).isEmpty, "a NAT network masquerades its subnet")
        let host = HostNetworkState.live()
        #expect(host.addresses.contains { $0.interface == bridge && $0.address.description == "\(prefix).1/24" })

        // The same subnet again is refused, naming the network, and creates nothing.
        let again = try VMCtlBinary.run(["net", "create", scope.name("dup"), "--mode", "isolated", "--subnet", "\(prefix).128/25"])
        #expect(again.status == 64)
        #expect(again.errors == "vmctl: error: --subnet: \(prefix).128/25 overlaps network '\(name)' (\(subnet))\n")
        #expect(throws: LibvirtError.self) { try scope.connection.network(named: scope.name("dup")) }

        let deleted = try VMCtlBinary.run(["net", "delete", name])
        #expect(deleted.status == 0, "\(deleted.errors)")
        #expect(deleted.output == "deleted network '\(name)'\n")
        let gone = #expect(throws: LibvirtError.self) { try scope.connection.network(named: name) }
        #expect(gone?.code == .noNetwork)
        #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/\(bridge)"))
        #expect(Firewall.masqueradeLines(for: subnet).isEmpty)
    }

    @Test func hostOnlyNetworkHasNoNAT() throws {
        let scope = try TestScope("netiso")
        defer { scope.clean() }
        let prefix = try scope.freeSubnet()
        let subnet = "\(prefix).0/24"
        let service = NetworkService(connection: scope.connection)
        let summary = try service.create(
            NetworkCreateRequest(name: scope.name("hostonly"), mode: .isolated, subnet: subnet, dhcpRange: "\(prefix).100-\(prefix).150", domain: "lab.test"))
        let bridge = try #require(summary.bridge)
        #expect(interfaceIsUp(bridge))
        #expect(Firewall.masqueradeLines(for: subnet).isEmpty, "a host-only network must not be NATed")
        let definition = try NetworkDefinition(xml: try scope.connection.network(named: scope.name("hostonly")).xml())
        #expect(definition.forward == .isolated)
        #expect(definition.domainName == "lab.test")
        _ = try service.delete(scope.name("hostonly"), force: false)
        #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/\(bridge)"))
    }

    @Test func subnetOverlappingAHostAddressIsRefused() throws {
        let scope = try TestScope("netlo")
        defer { scope.clean() }
        // Loopback is refused by rule, before any overlap is looked for.
        let loopback = try VMCtlBinary.run(["net", "create", scope.name("lo"), "--mode", "isolated", "--subnet", "127.0.0.0/24"])
        #expect(loopback.status == 64)
        #expect(loopback.errors == "vmctl: error: --subnet: 127.0.0.0/24 is not allowed: 127.0.0.0/8 is loopback\n")
        #expect(throws: LibvirtError.self) { try scope.connection.network(named: scope.name("lo")) }

        // A subnet holding an address of one of this host's own interfaces.
        let host = try #require(HostNetworkState.live().addresses.first { $0.interface != "lo" && $0.address.isIPv4 },
                                "this host has no IPv4 address outside lo")
        let subnet = "\(host.address.network)/\(host.address.prefixLength)"
        let result = try VMCtlBinary.run(["net", "create", scope.name("lo"), "--mode", "isolated", "--subnet", subnet])
        #expect(result.status == 64)
        #expect(result.errors.hasPrefix("vmctl: error: --subnet: \(subnet) overlaps "), "\(result.errors)")
        #expect(throws: LibvirtError.self) { try scope.connection.network(named: scope.name("lo")) }
    }

    @Test func bridgeModeOverATestBridge() throws {
        let scope = try TestScope("netbr")
        defer { scope.clean() }
        let third = try scope.freeSubnet().split(separator: ".")[1]
        let bridge = "vmctltestbr\(third)"
        _ = try? run("/usr/sbin/ip", ["link", "del", bridge])
        let added = try run("/usr/sbin/ip", ["link", "add", bridge, "type", "bridge"])
        #expect(added.status == 0, "\(added.errors)")
        defer { _ = try? run("/usr/sbin/ip", ["link", "del", bridge]) }

        let notBridge = try VMCtlBinary.run(["net", "create", scope.name("br"), "--mode", "bridge", "--bridge", "lo"])
        #expect(notBridge.status == 64)
        #expect(notBridge.errors == "vmctl: error: --bridge: 'lo' is not a bridge on this host (no /sys/class/net/lo/bridge)\n")

        let created = try VMCtlBinary.run(["net", "create", scope.name("br"), "--mode", "bridge", "--bridge", bridge, "-o", "json"])
        #expect(created.status == 0, "\(created.errors)")
        let summary = try JSONDecoder().decode(NetworkSummary.self, from: Data(created.output.utf8))
        #expect(summary.mode == "bridge" && summary.bridge == bridge && summary.subnet == nil && summary.active)
        let definition = try NetworkDefinition(xml: try scope.connection.network(named: scope.name("br")).xml())
        #expect(definition.forward == .bridge)
        #expect(definition.bridge?.name == bridge)
        let deleted = try VMCtlBinary.run(["net", "delete", scope.name("br")])
        #expect(deleted.status == 0, "\(deleted.errors)")
        #expect(throws: LibvirtError.self) { try scope.connection.network(named: scope.name("br")) }
        // libvirt leaves a bridge it does not own alone.
        #expect(FileManager.default.fileExists(atPath: "/sys/class/net/\(bridge)/bridge"))
    }

    @Test func reservationsLiveAndConfig() throws {
        let scope = try TestScope("netres")
        defer { scope.clean() }
        let prefix = try scope.freeSubnet()
        let name = scope.name("res")
        let service = NetworkService(connection: scope.connection)
        _ = try service.create(NetworkCreateRequest(name: name, mode: .isolated, subnet: "\(prefix).0/24"))
        let network = try scope.connection.network(named: name)

        let reserved = try VMCtlBinary.run(["net", "reserve", name, "--mac", "52:54:00:77:00:21", "--ip", "\(prefix).21", "--host", "compute1"])
        #expect(reserved.status == 0, "\(reserved.errors)")
        let host = "<host mac='52:54:00:77:00:21' name='compute1' ip='\(prefix).21'/>"
        #expect(try network.xml().contains(host))
        #expect(try network.xml(inactive: true).contains(host))
        let clash = try VMCtlBinary.run(["net", "reserve", name, "--mac", "52:54:00:77:00:22", "--ip", "\(prefix).21"])
        #expect(clash.status == 64)
        #expect(clash.errors == "vmctl: error: --ip: \(prefix).21 is already reserved on network '\(name)' for 52:54:00:77:00:21\n")

        // Inactive: the persistent definition only.
        _ = try service.stop(name)
        _ = try service.reserve(name, mac: "52:54:00:77:00:23", ip: "\(prefix).23", host: nil)
        #expect(try network.xml(inactive: true).contains("<host mac='52:54:00:77:00:23' ip='\(prefix).23'/>"))
        _ = try service.start(name)
        #expect(try service.show(name).reservations.map(\.ip) == ["\(prefix).21", "\(prefix).23"])

        let removed = try VMCtlBinary.run(["net", "unreserve", name, "--mac", "52:54:00:77:00:21"])
        #expect(removed.status == 0, "\(removed.errors)")
        #expect(try !network.xml().contains("compute1"))
        #expect(try !network.xml(inactive: true).contains("compute1"))
        let leases = try VMCtlBinary.run(["net", "leases", name, "-o", "json"])
        #expect(leases.status == 0, "\(leases.errors)")
        #expect(leases.output == "{\n  \"leases\" : [\n\n  ]\n}\n")
        _ = try service.delete(name, force: false)
    }
}

@Suite(.enabled(if: Daemon.enabled)) struct StorageCommandTests {
    @Test func dirPoolVolumesCloneResizeImportDelete() throws {
        let scope = try TestScope("stor")
        defer { scope.clean() }
        let path = Daemon.runDirectory.appendingPathComponent(scope.name("pool")).path
        let pool = scope.name("pool")
        let created = try VMCtlBinary.run(["pool", "create", pool, "--type", "dir", "--target", path, "-o", "json"])
        #expect(created.status == 0, "\(created.errors)")
        let summary = try JSONDecoder().decode(PoolSummary.self, from: Data(created.output.utf8))
        #expect(summary.active && summary.type == "dir" && summary.target == path && summary.volumes == 0)
        #expect(FileManager.default.fileExists(atPath: path))

        let service = StorageService(connection: scope.connection)
        let disk = try service.createVolume(pool: pool, name: "disk.qcow2", size: "16M", format: nil, backing: nil)
        #expect(disk.format == "qcow2" && disk.capacityBytes == 16 << 20 && disk.path == path + "/disk.qcow2")
        let raw = try service.createVolume(pool: pool, name: "data.raw", size: "8M", format: "raw", backing: nil)
        #expect(raw.format == "raw")
        let overlay = try service.createVolume(pool: pool, name: "overlay.qcow2", size: nil, format: nil, backing: "disk.qcow2")
        #expect(overlay.backing == disk.path)
        #expect(overlay.capacityBytes == 16 << 20)

        let grown = try VMCtlBinary.run(["vol", "resize", pool, "data.raw", "16M", "-o", "json"])
        #expect(grown.status == 0, "\(grown.errors)")
        #expect(try JSONDecoder().decode(VolumeSummary.self, from: Data(grown.output.utf8)).capacityBytes == 16 << 20)
        let shrink = try VMCtlBinary.run(["vol", "resize", pool, "data.raw", "4M"])
        #expect(shrink.status == 64)
        let shrunk = try service.resizeVolume(pool: pool, name: "data.raw", size: "4M", shrink: true)
        #expect(shrunk.capacityBytes == 4 << 20)

        // Import a raw file with content, and a qcow2 made by qemu-img.
        let rawFile = Daemon.runDirectory.appendingPathComponent(scope.name("seed.img"))
        var bytes = Data(repeating: 0, count: 6 << 20)
        for i in stride(from: 0, to: bytes.count, by: 4097) { bytes[i] = UInt8(truncatingIfNeeded: i) }
        try bytes.write(to: rawFile)
        let imported = try VMCtlBinary.run(["vol", "import", pool, rawFile.path, "--name", "seed.raw", "-o", "json"])
        #expect(imported.status == 0, "\(imported.errors)")
        let seed = try JSONDecoder().decode(VolumeSummary.self, from: Data(imported.output.utf8))
        #expect(seed.format == "raw" && seed.capacityBytes == 6 << 20)
        #expect(try Data(contentsOf: URL(fileURLWithPath: seed.path)) == bytes)

        let qcowFile = Daemon.runDirectory.appendingPathComponent(scope.name("base.qcow2"))
        let made = try run("/usr/bin/qemu-img", ["create", "-q", "-f", "qcow2", qcowFile.path, "64M"])
        #expect(made.status == 0, "\(made.errors)")
        let base = try service.importVolume(pool: pool, file: qcowFile.path, name: "base.qcow2", format: "qcow2")
        #expect(base.format == "qcow2" && base.capacityBytes == 64 << 20)
        let info = try run("/usr/bin/qemu-img", ["info", "--output=json", base.path])
        #expect(info.output.contains(#""format": "qcow2""#) && info.output.contains(#""virtual-size": 67108864"#))
        let wrongFormat = try VMCtlBinary.run(["vol", "import", pool, qcowFile.path, "--name", "again.raw", "--format", "raw"])
        #expect(wrongFormat.status == 64)
        #expect(wrongFormat.errors == "vmctl: error: --format: '\(qcowFile.path)' is qcow2 (its header), not raw\n")

        let clone = try VMCtlBinary.run(["vol", "clone", pool, "seed.raw", "seed-copy.raw", "-o", "json"])
        #expect(clone.status == 0, "\(clone.errors)")
        let copy = try JSONDecoder().decode(VolumeSummary.self, from: Data(clone.output.utf8))
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy.path)) == bytes)

        let listed = try VMCtlBinary.run(["vol", "list", pool, "-o", "json"])
        struct Volumes: Decodable { var volumes: [VolumeSummary] }
        #expect(try JSONDecoder().decode(Volumes.self, from: Data(listed.output.utf8)).volumes.map(\.name)
            == ["base.qcow2", "data.raw", "disk.qcow2", "overlay.qcow2", "seed-copy.raw", "seed.raw"])

        // --delete-data refuses while volumes remain, and changes nothing.
        let refused = try VMCtlBinary.run(["pool", "delete", pool, "--delete-data"])
        #expect(refused.status == 1)
        #expect(try scope.connection.storagePool(named: pool).isActive())

        for volume in ["overlay.qcow2", "base.qcow2", "data.raw", "disk.qcow2", "seed-copy.raw", "seed.raw"] {
            let deleted = try VMCtlBinary.run(["vol", "delete", pool, volume])
            #expect(deleted.status == 0, "\(deleted.errors)")
        }
        let deleted = try VMCtlBinary.run(["pool", "delete", pool, "--delete-data"])
        #expect(deleted.status == 0, "\(deleted.errors)")
        #expect(!FileManager.default.fileExists(atPath: path))
        let gone = #expect(throws: LibvirtError.self) { try scope.connection.storagePool(named: pool) }
        #expect(gone?.code == .noStoragePool)
    }

    @Test func poolStartFailureRollsBack() throws {
        let scope = try TestScope("storfail")
        defer { scope.clean() }
        // An fs pool over a device that does not exist: define works, build (mkfs) fails.
        let mount = Daemon.runDirectory.appendingPathComponent(scope.name("mnt")).path
        let result = try VMCtlBinary.run([
            "pool", "create", scope.name("fs"), "--type", "fs", "--source-dev", "/dev/vmctl-test-no-such-disk", "--target", mount,
        ])
        #expect(result.status == 1)
        #expect(result.errors.hasPrefix("vmctl: error: building pool '\(scope.name("fs"))' failed, so its definition was removed: "))
        #expect(result.errors.contains("(libvirt error "))
        #expect(throws: LibvirtError.self) { try scope.connection.storagePool(named: scope.name("fs")) }
        #expect(!FileManager.default.fileExists(atPath: mount))
    }
}

@Suite(.enabled(if: Daemon.enabled)) struct NetRollbackTests {
    /// A real start failure: the bridge the network would create already exists (a bridge
    /// the test made; the host check is bypassed so the request gets that far). The
    /// definition must be gone afterwards and the test's bridge untouched.
    @Test func failedStartLeavesNoDefinition() throws {
        let scope = try TestScope("netfail")
        defer { scope.clean() }
        let prefix = try scope.freeSubnet()
        let link = "vmctltestd\(prefix.split(separator: ".")[1])"
        _ = try? run("/usr/sbin/ip", ["link", "del", link])
        let added = try run("/usr/sbin/ip", ["link", "add", link, "type", "bridge"])
        #expect(added.status == 0, "\(added.errors)")
        defer { _ = try? run("/usr/sbin/ip", ["link", "del", link]) }

        let service = NetworkService(connection: scope.connection, host: { HostNetworkState() })
        var failure: VMCtlError?
        do {
            _ = try service.create(NetworkCreateRequest(name: scope.name("fail"), mode: .nat, subnet: "\(prefix).0/24", bridge: link))
        } catch {
            failure = error
        }
        let error = try #require(failure)
        #expect(error.message.hasPrefix("starting network '\(scope.name("fail"))' failed, so its definition was removed: "))
        #expect(error.message.contains("(libvirt error "))
        #expect(error.libvirtError != nil)
        let gone = #expect(throws: LibvirtError.self) { try scope.connection.network(named: scope.name("fail")) }
        #expect(gone?.code == .noNetwork)
        #expect(FileManager.default.fileExists(atPath: "/sys/class/net/\(link)"))
        #expect(FileManager.default.fileExists(atPath: "/sys/class/net/\(link)/bridge"))
        #expect(Firewall.masqueradeLines(for: "\(prefix).0/24").isEmpty)
    }
}
