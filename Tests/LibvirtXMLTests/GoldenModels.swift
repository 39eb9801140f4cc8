import Foundation
import Testing
@testable import LibvirtXML

/// A golden file and the model, built in Swift, that it must hold.
struct Golden: Sendable, CustomTestStringConvertible {
    let path: String
    let xml: @Sendable () throws -> String
    let equalsParsed: @Sendable (String) throws -> Bool
    var testDescription: String { path }

    init<T: XMLDocumentConvertible>(_ path: String, _ model: T) {
        self.path = path
        xml = { try model.xml() }
        equalsParsed = { try T(xml: $0) == model }
    }
}

private func uuid(_ s: String) -> UUID { UUID(uuidString: s)! }
private func mac(_ s: String) -> MACAddress { try! MACAddress(s) }
private func ip(_ s: String) -> IPAddress { try! IPAddress(s) }
private func net(_ s: String) -> IPNetwork { try! IPNetwork(cidr: s) }

/// Every golden file written from a Swift model. (The capability fixtures are captured from libvirt and tested separately.)
let goldens: [Golden] = [
    Golden(
        "domain/lab-compute.xml",
        DomainDefinition(
            type: .kvm, name: "compute1", uuid: uuid("3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"), title: "Compute node 1",
            description: "OpenStack compute node for lab1",
            metadata: VMMetadata(
                lab: "lab1", role: "compute",
                volumes: [
                    .init(.pool(pool: "default", volume: "compute1.qcow2"), createdByVMCtl: true),
                    .init(.path("/var/lib/libvirt/images/seed.iso"), createdByVMCtl: false),
                ]),
            memory: .gib(8), currentMemory: .gib(4), vcpus: 4,
            os: OSDefinition(arch: "x86_64", machine: "pc-q35-7.2"),
            features: [.acpi, .apic], cpu: CPUDefinition(mode: .hostPassthrough, nested: .vmx),
            emulator: "/usr/bin/qemu-system-x86_64",
            disks: [
                Disk(source: .file("/var/lib/libvirt/images/compute1.qcow2"), target: "vda", format: .qcow2, bootOrder: 1),
                Disk(source: .file("/var/lib/libvirt/images/seed.iso"), device: .cdrom, target: "sda", bus: .sata, format: .raw, readOnly: true),
            ],
            interfaces: [
                NetworkInterface(source: .network("lab1-mgmt"), mac: mac("52:54:00:1a:2b:3c"), bootOrder: 2),
                NetworkInterface(source: .network("lab1-data"), mac: mac("52:54:00:1a:2b:3d")),
            ],
            serials: [CharDevice(source: .pty, port: 0)],
            consoles: [CharDevice(source: .pty, targetType: "serial", port: 0)],
            guestAgent: true,
            graphics: [Graphics(type: .vnc, listen: "127.0.0.1")],
            videos: [Video(model: "virtio")],
            memoryBalloon: MemoryBalloon(model: "virtio"),
            rng: RNGDevice())),
    Golden(
        "domain/uefi-storage.xml",
        DomainDefinition(
            type: .qemu, name: "controller1", uuid: uuid("8e0f3a52-9d41-4c7b-b2a6-5f1e0d9c8b7a"),
            memory: .mib(4096), currentMemory: .mib(4096), vcpus: 2,
            os: OSDefinition(arch: "x86_64", machine: "q35", firmware: .uefi, bootDevices: [.hd, .network]),
            features: [.acpi, .apic, .pae], cpu: CPUDefinition(mode: .hostModel, nested: .svm),
            clock: .localtime, onPoweroff: .destroy, onReboot: .restart, onCrash: .preserve,
            disks: [
                Disk(source: .volume(pool: "default", volume: "controller1-root.qcow2"), target: "vda", format: .qcow2),
                Disk(source: .block("/dev/vg0/controller1-data"), target: "sdb", bus: .scsi, format: .raw),
                Disk(source: .empty, device: .cdrom, target: "hdc", bus: .ide, readOnly: true),
            ],
            interfaces: [
                NetworkInterface(source: .bridge("br0"), mac: mac("52:54:00:aa:00:01"), model: .e1000),
                NetworkInterface(source: .direct(device: "eth1", mode: "bridge"), mac: mac("52:54:00:aa:00:02")),
                NetworkInterface(source: .user, mac: mac("52:54:00:aa:00:03"), model: .rtl8139),
            ],
            serials: [CharDevice(source: .file("/var/log/vmctl/controller1-serial.log"), port: 0)],
            consoles: [CharDevice(source: .file("/var/log/vmctl/controller1-serial.log"), targetType: "serial", port: 0)],
            graphics: [Graphics(type: .spice, listen: "0.0.0.0", port: 5930)],
            videos: [Video(model: "qxl")],
            memoryBalloon: MemoryBalloon(model: "none"))),
    Golden(
        "domain/direct-kernel.xml",
        DomainDefinition(
            type: .qemu, name: "installer_1.test", uuid: uuid("0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"),
            title: "Installer <test> & 'quotes' \"double\"",
            description: "Multi-line description\nwith < > & ' \" ]]> and non-ASCII: Grüße, 日本語, 🚀\n\tindented line",
            memory: ByteSize(bytes: 1_536 * 1024 * 1024), currentMemory: .mib(1536), vcpus: 1,
            os: OSDefinition(
                arch: "x86_64", machine: "pc", bootDevices: [.hd],
                kernel: "/var/lib/vmctl/boot/vmlinuz", initrd: "/var/lib/vmctl/boot/initrd.img",
                cmdline: "console=ttyS0 ks=\"http://10.0.0.1/ks.cfg?a=1&b=2\" inst.text <x> 'q'"),
            features: [.acpi], cpu: CPUDefinition(mode: .custom(model: "Skylake-Client-IBRS")),
            onPoweroff: .destroy, onReboot: .destroy, onCrash: .destroy,
            disks: [Disk(source: .file("/var/lib/libvirt/images/installer 1.raw"), target: "hda", bus: .ide, format: .raw)],
            serials: [CharDevice(source: .pty, port: 0)],
            consoles: [CharDevice(source: .pty, targetType: "serial", port: 0)])),
    Golden(
        "network/nat.xml",
        NetworkDefinition(
            name: "lab1-mgmt", uuid: uuid("5d2b7c9e-1f3a-4b6d-8e0c-2a4f6b8d0e1c"), forward: .nat,
            bridge: BridgeSettings(name: "virbr-lab1", stp: true, delay: 0), mtu: 9000, domainName: "lab1.example",
            dnsHosts: [DNSHost(ip: ip("192.168.100.10"), hostnames: ["controller1", "keystone.lab1.example"])],
            ips: [
                NetworkIP(
                    address: net("192.168.100.1/24"),
                    dhcpRanges: [DHCPRange(start: ip("192.168.100.100"), end: ip("192.168.100.200"))],
                    hosts: [
                        DHCPHost(mac: mac("52:54:00:1a:2b:3c"), name: "compute1", ip: ip("192.168.100.21")),
                        DHCPHost(mac: mac("52:54:00:aa:00:01"), ip: ip("192.168.100.10")),
                    ]),
                NetworkIP(
                    address: net("fd00:100::1/64"),
                    dhcpRanges: [DHCPRange(start: ip("fd00:100::100"), end: ip("fd00:100::1ff"))],
                    hosts: [DHCPHost(name: "compute1", ip: ip("fd00:100::21"))]),
            ])),
    Golden(
        "network/isolated.xml",
        NetworkDefinition(
            name: "lab1-data", uuid: uuid("a1b2c3d4-e5f6-4711-8899-aabbccddeeff"), forward: .isolated,
            bridge: BridgeSettings(name: "virbr-data", stp: true, delay: 0),
            ips: [try! NetworkIP(subnet: net("10.20.0.0/24"))])),
    Golden(
        "network/route.xml",
        NetworkDefinition(
            name: "lab1-routed", uuid: uuid("01ab5001-0000-4000-8000-000000000001"), forward: .route(device: "eth0"), bridge: BridgeSettings(name: "virbr-rt", stp: true, delay: 0),
            ips: [NetworkIP(address: net("10.30.0.1/24"))])),
    Golden(
        "network/open.xml",
        NetworkDefinition(
            name: "lab1-open", uuid: uuid("01ab5002-0000-4000-8000-000000000002"), forward: .open, bridge: BridgeSettings(name: "virbr-open", stp: false, delay: 2),
            ips: [NetworkIP(address: net("10.40.0.1/16"), dhcpRanges: [DHCPRange(start: ip("10.40.1.0"), end: ip("10.40.1.255"))])])),
    Golden("network/bridge.xml", NetworkDefinition(name: "host-br0", uuid: uuid("01ab5003-0000-4000-8000-000000000003"), forward: .bridge, bridge: BridgeSettings(name: "br0", stp: nil, delay: nil))),
    Golden("network/macvtap.xml", NetworkDefinition(name: "host-macvtap", uuid: uuid("01ab5004-0000-4000-8000-000000000004"), forward: .macvtap(device: "eth1"))),
    Golden(
        "pool/dir.xml",
        StoragePoolDefinition(
            type: .dir, name: "default", uuid: uuid("4c6e8a0b-2d4f-4618-9a3c-5e7b9d1f3a5c"), targetPath: "/var/lib/libvirt/images",
            permissions: Permissions(mode: "0711", owner: 0, group: 0))),
    Golden(
        "pool/fs.xml",
        StoragePoolDefinition(type: .fs, name: "scratch", uuid: uuid("01ab5005-0000-4000-8000-000000000005"), source: PoolSource(devices: ["/dev/sdc1"], format: "ext4"), targetPath: "/srv/scratch")),
    Golden(
        "pool/netfs.xml",
        StoragePoolDefinition(
            type: .netfs, name: "nfs-images", uuid: uuid("01ab5006-0000-4000-8000-000000000006"), source: PoolSource(hosts: ["nfs.lab.example"], dir: "/export/images", format: "nfs"),
            targetPath: "/var/lib/libvirt/nfs-images")),
    Golden(
        "pool/logical.xml",
        StoragePoolDefinition(
            type: .logical, name: "vg0", uuid: uuid("01ab5007-0000-4000-8000-000000000007"), source: PoolSource(devices: ["/dev/sdb"], name: "vg0", format: "lvm2"), targetPath: "/dev/vg0")),
    Golden(
        "volume/qcow2-backing.xml",
        StorageVolumeDefinition(
            name: "compute1.qcow2", capacity: .gib(40), allocation: ByteSize(bytes: 0), format: .qcow2,
            permissions: Permissions(mode: "0600", owner: 64055, group: 64055),
            backingStore: BackingStore(path: "/var/lib/libvirt/images/debian-12-base.qcow2", format: .qcow2))),
    Golden(
        "volume/raw.xml",
        StorageVolumeDefinition(name: "data_disk-1.raw", capacity: try! ByteSize(parsing: "1.5T"), allocation: .gib(1), format: .raw)),
    Golden(
        "snapshot/external-disk.xml",
        SnapshotDefinition(
            name: "before-upgrade", description: "Before the Zed → Antelope upgrade <risky> & 'slow'", memory: .no,
            disks: [
                SnapshotDisk(name: "vda", snapshot: .external, driverType: .qcow2, sourceFile: "/var/lib/libvirt/images/compute1.before-upgrade.qcow2"),
                SnapshotDisk(name: "sda", snapshot: .no),
            ])),
    Golden(
        "snapshot/internal-memory.xml",
        SnapshotDefinition(name: "running-state", description: "Full internal snapshot", memory: .internal, disks: [SnapshotDisk(name: "vda", snapshot: .internal)])),
    Golden(
        "snapshot/external-memory.xml",
        SnapshotDefinition(name: "live.1", memory: .external(file: "/var/lib/libvirt/qemu/snapshot/live.1.mem"))),
]
