import Foundation
import Libvirt
import LibvirtXML
import Testing
import VMCtlKit

/// vmctl never damages a VM it did not create: a domain defined by hand, with
/// features the model does not know, keeps all of them through `vm clone --linked`,
/// `vm clone --full`, `snapshot create` and `vm show`; its clones keep them too,
/// with a display port of their own.
@Suite(.enabled(if: Daemon.enabled), .serialized)
struct IntegrationLosslessEditTests {
    @Test func cloneSnapshotAndShowLeaveAHandWrittenDomainIntact() async throws {
        let scope = try TestScope("xmlh-clone")
        defer { scope.clean() }
        // The disk a user made: a qcow2 volume of its own in a pool (vm clone refuses a
        // chain that leaves the pools, as the test guest's shared base would).
        let poolPath = Daemon.runDirectory.appendingPathComponent(scope.name("pool")).path
        let pool = try scope.connection.defineStoragePool(
            xml: try StoragePoolDefinition(type: .dir, name: ObjectName(scope.name("pool")), targetPath: poolPath).xml())
        try pool.build()
        try pool.start()
        let root = try pool.createVolume(xml: try StorageVolumeDefinition(
            name: "root.qcow2", capacity: ByteSize(bytes: 64 << 20), allocation: ByteSize(bytes: 0), format: .qcow2).xml())
        let source = scope.name("src")
        _ = try scope.connection.defineDomain(xml: Self.handWritten(name: source, disk: try root.path()), validate: true)
        let before = try scope.connection.domain(named: source).xml([.inactive])

        for arguments in [
            ["vm", "clone", source, scope.name("linked"), "--linked"],
            ["vm", "clone", source, scope.name("full"), "--full"],
            ["snapshot", "create", source, "s1"],
            ["vm", "show", source],
        ] {
            let result = try await runVMCtl(arguments + ["-q", "--connect", Daemon.uri], timeout: 300)
            #expect(result.status == 0, "vmctl \(arguments.joined(separator: " ")): \(result.errors)")
        }

        // The source: only its disk's source (moved onto an overlay) and vmctl's metadata differ.
        let after = try scope.connection.domain(named: source).xml([.inactive])
        let movable: Set<String> = ["/domain/devices/disk/source", "/domain/devices/disk/backingStore", "/domain/metadata/vmctl:vm"]
        #expect(try Self.canonical(after, dropping: movable) == Self.canonical(before, dropping: movable))
        #expect(after.contains("<feature policy='disable' name='svm'/>"))
        #expect(after.components(separatedBy: "<rng ").count == 3, "both RNGs")

        // Each clone: the same but for name, UUID, MACs, disk paths, vmctl's metadata
        // and its display port, which libvirt allocates (the listen address stays).
        let identity = movable.union(["/domain/name", "/domain/uuid", "/domain/devices/interface/mac", "/domain/devices/graphics"])
        for clone in [scope.name("linked"), scope.name("full")] {
            let xml = try scope.connection.domain(named: clone).xml([.inactive])
            #expect(try Self.canonical(xml, dropping: identity) == Self.canonical(before, dropping: identity), "\(clone)")
            let graphics = try #require(try DomainDefinition(xml: xml).graphics.first)
            #expect(graphics.port == nil && graphics.listen == "127.0.0.1", "\(clone): \(graphics)")
            #expect(xml.contains("<listen type='address' address='127.0.0.1'/>"), "\(clone)")
        }
    }

    /// Things the model does not know, or holds only one of: a disabled CPU feature,
    /// two RNGs, balloon statistics, a timer, power management, another
    /// application's metadata, a disk serial and cache mode; and a fixed VNC port.
    static func handWritten(name: String, disk: String) -> String {
        """
        <domain type='qemu'>
          <name>\(name)</name>
          <title>hand written</title>
          <description>kept &lt;as&gt; is &amp; "quoted"</description>
          <metadata>
            <other:data xmlns:other="https://example.org/other/1">another application's</other:data>
          </metadata>
          <memory unit='KiB'>65536</memory>
          <vcpu placement='static'>1</vcpu>
          <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/><bootmenu enable='no'/></os>
          <features><acpi/><pae/><pmu state='off'/></features>
          <cpu mode='custom' match='exact' check='none'>
            <model fallback='allow'>qemu64</model>
            <topology sockets='1' dies='1' cores='1' threads='1'/>
            <feature policy='disable' name='svm'/>
          </cpu>
          <clock offset='utc'><timer name='rtc' tickpolicy='catchup'/></clock>
          <on_poweroff>destroy</on_poweroff>
          <on_reboot>restart</on_reboot>
          <on_crash>preserve</on_crash>
          <pm><suspend-to-mem enabled='no'/><suspend-to-disk enabled='no'/></pm>
          <devices>
            <disk type='file' device='disk'>
              <driver name='qemu' type='qcow2' cache='none' discard='unmap'/>
              <source file='\(disk)'/>
              <target dev='vda' bus='virtio'/>
              <serial>hand-1</serial>
            </disk>
            <interface type='user'>
              <mac address='52:54:00:12:34:56'/>
              <model type='virtio'/>
              <link state='up'/>
            </interface>
            <console type='pty'><target type='serial' port='0'/></console>
            <graphics type='vnc' port='5987' autoport='no' listen='127.0.0.1'><listen type='address' address='127.0.0.1'/></graphics>
            <memballoon model='virtio'><stats period='10'/></memballoon>
            <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
            <rng model='virtio'><rate bytes='1024' period='1000'/><backend model='random'>/dev/random</backend></rng>
          </devices>
        </domain>
        """
    }

    /// One line per element (attributes sorted), text and comment, without the subtrees at `dropping`.
    static func canonical(_ xml: String, dropping: Set<String>) throws -> [String] {
        var lines: [String] = []
        func walk(_ e: XMLTree.Element, _ path: String) {
            let here = path + "/" + e.name
            guard !dropping.contains(here) else { return }
            lines.append(here + " " + e.attributes.sorted { $0.name < $1.name }.map { "\($0.name)=\($0.value)" }.joined(separator: " "))
            for child in e.children {
                switch child {
                case .element(let c): walk(c, here)
                case .text(let t) where t.contains(where: { !$0.isWhitespace }): lines.append(here + " text " + t)
                case .text: break
                case .comment(let c): lines.append(here + " comment " + c)
                }
            }
        }
        walk(try XMLReader.parse(xml), "")
        return lines
    }
}
