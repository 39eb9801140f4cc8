import Foundation
import Testing
@testable import LibvirtXML

/// Random but valid models, from a seeded generator: writing then reading must give the same model.
@Suite("Random models round-trip")
struct RandomModelTests {
    struct Picker {
        var rng: SplitMix64
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }
        mutating func bool() -> Bool { rng.next() % 2 == 0 }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
        mutating func maybe<T>(_ value: T) -> T? { bool() ? value : nil }
    }

    static func randomDomain(_ p: inout Picker, index: Int) throws -> DomainDefinition {
        let buses: [DiskBus] = [.virtio, .sata, .scsi, .ide]
        let prefixes: [DiskBus: String] = [.virtio: "vd", .sata: "sd", .scsi: "sd", .ide: "hd"]
        var disks: [Disk] = []
        var usedTargets = Set<String>()
        var bootOrder = 1
        let perDeviceBoot = p.bool()
        for i in 0..<p.int(0...4) {
            let bus = p.pick(buses)
            let target = (prefixes[bus] ?? "vd") + String(UnicodeScalar(UInt8(97 + i)))
            guard usedTargets.insert(target).inserted else { continue }
            let cdrom = p.int(0...4) == 0
            let source: DiskSource = cdrom && p.bool() ? .empty
                : p.pick([.file("/var/lib/libvirt/images/d\(i).img"), .block("/dev/vg0/lv\(i)"), .volume(pool: "default", volume: "v\(i).qcow2")])
            var disk = Disk(
                source: source, device: cdrom ? .cdrom : .disk, target: target, bus: cdrom && bus == .virtio ? .sata : bus,
                format: p.maybe(p.pick([.qcow2, .raw])), readOnly: cdrom || p.int(0...5) == 0)
            if perDeviceBoot && p.bool() {
                disk.bootOrder = bootOrder
                bootOrder += 1
            }
            disks.append(disk)
        }
        var interfaces: [NetworkInterface] = []
        for i in 0..<p.int(0...3) {
            var mac = MACAddress.random(using: &p.rng)
            if i > 0, interfaces.contains(where: { $0.mac == mac }) { mac = MACAddress.random(using: &p.rng) }
            var nic = NetworkInterface(
                source: p.pick([.network("net\(i)"), .bridge("br\(i)"), .direct(device: "eth\(i)", mode: p.pick(["bridge", "vepa", "private", "passthrough"])), .user]),
                mac: p.maybe(mac), model: p.maybe(p.pick([.virtio, .e1000, .rtl8139, .e1000e])))
            if perDeviceBoot && p.bool() {
                nic.bootOrder = bootOrder
                bootOrder += 1
            }
            interfaces.append(nic)
        }
        let memoryMiB = UInt64(p.int(1...64)) * 256
        let cpuModes: [CPUMode] = [.hostPassthrough, .hostModel, .maximum, .custom(model: p.pick(["qemu64", "Skylake-Client", "EPYC"]))]
        let cpu: CPUDefinition? = p.bool() ? CPUDefinition(mode: p.pick(cpuModes), nested: p.maybe(p.pick([.vmx, .svm]))) : nil
        let kernel = p.int(0...3) == 0
        let os = OSDefinition(
            arch: p.pick(["x86_64", "i686"]), machine: p.maybe(p.pick(["pc", "q35", "pc-q35-7.2"])),
            firmware: p.pick([.bios, .uefi]),
            loader: p.bool() ? nil : FirmwareLoader(path: p.maybe("/usr/share/OVMF/OVMF_CODE_4M.fd"), type: p.maybe(p.pick([.pflash, .rom])),
                                                    readOnly: p.maybe(p.bool()), secure: p.maybe(p.bool())),
            nvram: p.bool() ? nil : NVRAMStore(path: p.maybe("/var/lib/libvirt/qemu/nvram/vm-\(index)_VARS.fd"),
                                               template: p.maybe("/usr/share/OVMF/OVMF_VARS_4M.fd")),
            bootDevices: perDeviceBoot ? [] : Array([BootDevice.hd, .cdrom, .network].prefix(p.int(0...3))),
            kernel: kernel ? "/boot/vmlinuz-\(index)" : nil, initrd: kernel && p.bool() ? "/boot/initrd-\(index)" : nil,
            cmdline: kernel && p.bool() ? "console=ttyS0 root=/dev/vda1 x=\"<\(index)>\"" : nil)
        let serial = p.bool()
        let serialSource: CharDeviceSource = p.bool() ? .pty : .file("/var/log/vm\(index).log")
        return DomainDefinition(
            type: p.pick([.kvm, .qemu]), name: try ObjectName("vm-\(index)"), uuid: p.maybe(UUID()),
            title: p.maybe("VM #\(index) <&>"), description: p.maybe("Line 1\nLine 2 & 'more'"),
            metadata: p.bool() ? VMMetadata(lab: p.maybe(try ObjectName("lab\(index % 3)")), role: p.maybe(p.pick(["compute", "controller"])),
                volumes: disks.isEmpty ? [] : [.init(.pool(pool: "default", volume: "v0.qcow2"), createdByVMCtl: p.bool())]) : nil,
            memory: .mib(memoryMiB), currentMemory: p.maybe(.mib(memoryMiB / 2 + 256)), vcpus: p.int(1...16), os: os,
            features: Array([DomainFeature.acpi, .apic, .pae].prefix(p.int(0...3))), cpu: cpu,
            clock: p.maybe(p.pick([.utc, .localtime])), onPoweroff: p.maybe(.destroy), onReboot: p.maybe(p.pick([.restart, .destroy])),
            onCrash: p.maybe(p.pick([.destroy, .preserve, .restart])), emulator: p.maybe("/usr/bin/qemu-system-x86_64"),
            disks: disks, interfaces: interfaces,
            serials: serial ? [CharDevice(source: serialSource, port: 0)] : [],
            consoles: serial ? [CharDevice(source: serialSource, targetType: "serial", port: 0)] : [],
            guestAgent: p.bool(),
            graphics: p.bool() ? [Graphics(type: p.pick([.vnc, .spice]), listen: p.maybe(p.pick(["127.0.0.1", "0.0.0.0", "::1"])), port: p.maybe(p.int(5900...5999)))] : [],
            videos: p.bool() ? [Video(model: p.pick(["virtio", "qxl", "vga", "cirrus"]))] : [],
            memoryBalloon: p.maybe(MemoryBalloon(model: p.pick(["virtio", "none"]))),
            rng: p.maybe(RNGDevice()))
    }

    @Test("Random domains: model → XML → model is the identity, and the XML validates")
    func domains() throws {
        var p = Picker(rng: SplitMix64(seed: 0xD0_0A1))
        for index in 0..<300 {
            var domain = try Self.randomDomain(&p, index: index)
            if domain.currentMemory.map({ $0 > domain.memory }) == true { domain.currentMemory = domain.memory }
            if case .custom = domain.cpu?.mode, domain.cpu?.nested != nil, index % 2 == 0 { domain.cpu?.nested = nil }
            let xml = try domain.xml()
            let back = try DomainDefinition(xml: xml)
            #expect(back == domain, "case \(index)")
            #expect(try back.xml() == xml)
            if index % 10 == 0 { try expectSchemaValid(xml) }
        }
    }

    @Test("Random networks: model → XML → model is the identity, and the XML validates")
    func networks() throws {
        var p = Picker(rng: SplitMix64(seed: 0x4E7))
        for index in 0..<200 {
            let third = p.int(0...255)
            let prefix = p.pick([16, 20, 24, 26])
            let subnet = try IPNetwork(cidr: "10.\(index % 256).\(prefix <= 16 ? 0 : third & (prefix == 20 ? 0xF0 : 0xFF)).0/\(prefix)")
            let forward: ForwardMode = p.pick([.nat, .isolated, .route(device: p.maybe("eth0")), .open, .bridge, .macvtap(device: "eth\(index % 4)")])
            var network = NetworkDefinition(name: try ObjectName("net-\(index)"), uuid: p.maybe(UUID()), forward: forward)
            switch forward {
            case .bridge:
                network.bridge = BridgeSettings(name: "br\(index % 10)", stp: nil, delay: nil)
            case .macvtap:
                break
            default:
                network.bridge = p.maybe(BridgeSettings(name: "virbr\(index % 100)", stp: p.bool(), delay: p.int(0...3)))
                network.mtu = p.maybe(p.pick([1500, 9000]))
                network.domainName = p.maybe("lab\(index).example")
                var ip = try NetworkIP(subnet: subnet, dhcp: p.bool())
                if p.bool(), let gateway = subnet.gateway, let host = gateway.adding(1) {
                    ip.hosts = [DHCPHost(mac: MACAddress.random(using: &p.rng), name: p.maybe("host\(index)"), ip: host)]
                    if !ip.dhcpRanges.isEmpty, let start = host.adding(1) { ip.dhcpRanges[0].start = start }
                    network.dnsHosts = [DNSHost(ip: host, hostnames: ["host\(index)"])]
                }
                network.ips = [ip]
                if p.bool() {
                    let v6 = try IPNetwork(cidr: "fd00:\(String(index, radix: 16))::/64")
                    network.ips.append(try NetworkIP(subnet: v6, dhcp: p.bool()))
                }
            }
            let xml = try network.xml()
            #expect(try NetworkDefinition(xml: xml) == network, "case \(index)")
            if index % 10 == 0 { try expectSchemaValid(xml) }
        }
    }
}
