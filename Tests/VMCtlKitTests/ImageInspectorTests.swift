import Foundation
import LibvirtXML
import Testing
@testable import VMCtlKit

#if canImport(Glibc)
import Glibc
#endif

/// The header parser on byte strings: no file, no qemu-img.
@Suite struct ImageHeaderTests {
    /// A qcow2 version 2 header of 1 MiB: the backing-format extension (when
    /// `format` is given), the end marker, then the backing file's name.
    static func qcow2(backing: String? = nil, format: String? = nil, size: UInt64 = 1 << 20) -> [UInt8] {
        func be(_ value: UInt64, _ count: Int) -> [UInt8] { (0..<count).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }
        var extensions: [UInt8] = []
        if let format {
            let name = Array(format.utf8)
            extensions += be(0xE279_2ACA, 4) + be(UInt64(name.count), 4) + name
            extensions += [UInt8](repeating: 0, count: (8 - name.count % 8) % 8)
        }
        extensions += [UInt8](repeating: 0, count: 8)
        let name = Array((backing ?? "").utf8)
        let nameOffset = backing == nil ? 0 : 72 + extensions.count
        var bytes = Array("QFI".utf8) + [0xFB] + be(2, 4) + be(UInt64(nameOffset), 8) + be(UInt64(name.count), 4)
        bytes += be(16, 4) + be(size, 8) + be(0, 4)
        bytes += [UInt8](repeating: 0, count: 72 - bytes.count)
        return bytes + extensions + name + [UInt8](repeating: 0, count: 512)
    }

    @Test func qcow2BackingFileAndFormat() throws {
        let header = try ImageHeader.parse(Self.qcow2(backing: "/etc/shadow", format: "raw", size: 1 << 30))
        #expect(header.format == .qcow2 && header.virtualSize == 1 << 30)
        #expect(header.backingFile == "/etc/shadow" && header.backingFormat == "raw")
        #expect(header.dataFile == nil)
        let unstated = try ImageHeader.parse(Self.qcow2(backing: "base.qcow2"))
        #expect(unstated.backingFile == "base.qcow2" && unstated.backingFormat == nil)
        let flat = try ImageHeader.parse(Self.qcow2())
        #expect(flat.backingFile == nil && flat.backingFormat == nil)
    }

    @Test func qcow2ExternalDataFileBit() throws {
        var bytes = Self.qcow2()
        bytes[7] = 3                                    // version 3
        bytes[79] = 1 << 2                              // incompatible features: external data file
        bytes[103] = 112                                // header_length
        bytes.replaceSubrange(72..<80, with: [0, 0, 0, 0, 0, 0, 0, 1 << 2])
        bytes.replaceSubrange(112..<120, with: [UInt8](repeating: 0, count: 8))
        let header = try ImageHeader.parse(bytes)
        #expect(header.format == .qcow2 && header.dataFile == "")
    }

    @Test func malformedHeadersThrowNotTrap() {
        #expect(throws: ImageHeader.Malformed.self) { try ImageHeader.parse(Array(Self.qcow2().prefix(30))) }
        var outside = Self.qcow2(backing: "x", format: "raw")
        outside.replaceSubrange(8..<16, with: [0, 0, 0, 0, 0x7F, 0, 0, 0])    // backing name far past the bytes
        #expect(throws: ImageHeader.Malformed.self) { try ImageHeader.parse(outside) }
        var unterminated = Self.qcow2()
        unterminated.removeSubrange(72...)                                  // no extension end marker
        #expect(throws: ImageHeader.Malformed.self) { try ImageHeader.parse(unterminated) }
    }

    @Test(arguments: [
        ("conectix", 0, ImageHeader.Format.vhd), ("vhdxfile", 0, .vhdx), ("QED\u{0}", 0, .qed),
        ("LUKS\u{BA}\u{BE}", 0, .luks), ("WithoutFreeSpace", 0, .parallels), ("Bochs Virtual HD Image", 32, .bochs),
    ])
    func magicsOfOtherFormats(magic: String, offset: Int, format: ImageHeader.Format) throws {
        var bytes = [UInt8](repeating: 0, count: 1024)
        bytes.replaceSubrange(offset..<offset + magic.unicodeScalars.count, with: magic.unicodeScalars.map { UInt8($0.value) })
        #expect(try ImageHeader.parse(bytes).format == format)
    }

    @Test func vdiRawAndTextDescriptors() throws {
        var vdi = [UInt8](repeating: 0, count: 512)
        vdi.replaceSubrange(0x40..<0x44, with: [0x7F, 0x10, 0xDA, 0xBE])
        #expect(try ImageHeader.parse(vdi).format == .vdi)
        #expect(try ImageHeader.parse([UInt8](repeating: 0, count: 4096)).format == .raw)
        #expect(try ImageHeader.parse(Array("root:x:0:0:root:/root:/bin/bash\n".utf8)).format == .raw)
        let descriptor = """
            # Disk DescriptorFile
            version=1
            createType="monolithicFlat"
            parentFileNameHint="/etc/shadow"
            RW 2048 FLAT "/etc/shadow" 0
            """
        let vmdk = try ImageHeader.parse(Array(descriptor.utf8))
        #expect(vmdk.format == .vmdk && vmdk.vmdkCreateType == "monolithicFlat")
        #expect(vmdk.vmdkExtents == ["/etc/shadow"] && vmdk.vmdkParent == "/etc/shadow")
    }
}

/// The inspector on files made in the test, with qemu-img where it can make them.
@Suite struct ImageInspectorTests {
    let directory: URL
    let pool: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-inspect-\(UUID().uuidString)")
        pool = directory.appendingPathComponent("pool")
        try FileManager.default.createDirectory(at: pool, withIntermediateDirectories: true)
    }

    var inspector: ImageInspector { ImageInspector(poolDirectories: [pool.path]) }

    func qemuImg(_ arguments: [String]) throws {
        let result = try ChildProcess.run("/usr/bin/qemu-img", arguments)
        try #require(result.status == 0, "qemu-img \(arguments): \(result.errors)")
    }

    func refusal(_ path: String, told: DiskFormat? = nil) -> String? {
        vmctlError { () throws(VMCtlError) in try inspector.inspect(path, told: told, field: "--image") }?.message
    }

    @Test func hostileQcow2AndVmdkImagesAreRefused() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let shadow = directory.appendingPathComponent("shadow.qcow2").path
        try qemuImg(["create", "-q", "-f", "qcow2", "-b", "/etc/shadow", "-F", "raw", shadow, "1M"])
        #expect(refusal(shadow) == "--image: \(shadow) → /etc/shadow: the backing file is outside the storage pools; a backing file must be a volume of a pool")
        // The same bytes under a raw-looking name, and told raw: the header decides.
        let looks = directory.appendingPathComponent("disk.img").path
        try FileManager.default.copyItem(atPath: shadow, toPath: looks)
        #expect(refusal(looks) == "--image: \(looks) → /etc/shadow: the backing file is outside the storage pools; a backing file must be a volume of a pool")
        #expect(refusal(looks, told: .raw) == "--image: \(looks): the header says qcow2, but libvirt would be told raw")

        let data = directory.appendingPathComponent("data.qcow2").path
        try qemuImg(["create", "-q", "-f", "qcow2", "-o", "data_file=\(directory.path)/data.raw", data, "1M"])
        #expect(refusal(data) == "--image: \(data): a qcow2 external data file ('\(directory.path)/data.raw') is not allowed")

        for subformat in ["monolithicFlat", "twoGbMaxExtentFlat", "monolithicSparse"] {
            let vmdk = directory.appendingPathComponent("\(subformat).vmdk").path
            try qemuImg(["create", "-q", "-f", "vmdk", "-o", "subformat=\(subformat)", vmdk, "1M"])
            let message = try #require(refusal(vmdk))
            #expect(message.hasPrefix("--image: \(vmdk): a vmdk image (createType \(subformat), naming "), "\(message)")
        }
        let unstated = directory.appendingPathComponent("unstated.qcow2").path
        try Data(ImageHeaderTests.qcow2(backing: "/etc/shadow")).write(to: URL(fileURLWithPath: unstated))
        #expect(refusal(unstated)
            == "--image: \(unstated) → /etc/shadow: the backing file's format is not stated (qemu-img rebase -F raw|qcow2), so it would be probed")
        let protocolName = directory.appendingPathComponent("nbd.qcow2").path
        try Data(ImageHeaderTests.qcow2(backing: "nbd://127.0.0.1/x", format: "raw")).write(to: URL(fileURLWithPath: protocolName))
        #expect(refusal(protocolName)?.hasSuffix("a backing file naming a protocol or JSON options is not allowed") == true)
    }

    @Test func fileKindsAndRawSizes() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("fifo").path
        try #require(mkfifo(fifo, 0o600) == 0)
        #expect(refusal(fifo) == "--image: \(fifo): is a FIFO, not a regular file or block device")
        #expect(refusal("/dev/null") == "--image: /dev/null: is a character device, not a regular file or block device")
        #expect(refusal(directory.path) == "--image: \(directory.path): is a directory, not a regular file or block device")
        let raw = pool.appendingPathComponent("disk.raw").path
        try Data(count: 8192).write(to: URL(fileURLWithPath: raw))
        let link = directory.appendingPathComponent("link.raw").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: raw)
        #expect(refusal(link) == "--image: \(link): is a symbolic link; give the file it points to")
        let text = directory.appendingPathComponent("passwd").path
        try Data("root:x:0:0:root:/root:/bin/bash\n".utf8).write(to: URL(fileURLWithPath: text))
        #expect(refusal(text) == "--image: \(text): not a disk image: a raw image is a whole number of 512-byte sectors, this is 32 bytes")
        let image = try inspector.inspect(raw, field: "--image")
        #expect(image == InspectedImage(path: raw, format: .raw, virtualSize: 8192, backing: []))
    }

    /// What vmctl makes itself: overlays on a base in a pool, the chain's formats stated.
    @Test func chainsInsideThePoolsAreFollowed() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = pool.appendingPathComponent("base.raw").path
        try Data(count: 1 << 20).write(to: URL(fileURLWithPath: base))
        let middle = pool.appendingPathComponent("middle.qcow2").path
        try qemuImg(["create", "-q", "-f", "qcow2", "-b", base, "-F", "raw", middle])
        let top = directory.appendingPathComponent("top.qcow2").path
        try qemuImg(["create", "-q", "-f", "qcow2", "-b", "pool/middle.qcow2", "-F", "qcow2", top, "2M"])
        let image = try inspector.inspect(top, field: "--image")
        #expect(image == InspectedImage(path: top, format: .qcow2, virtualSize: 2 << 20, backing: [
            BackingStore(path: middle, format: .qcow2), BackingStore(path: base, format: .raw),
        ]))
        // A stated format the backing file's header contradicts.
        let lying = directory.appendingPathComponent("lying.qcow2").path
        try qemuImg(["create", "-q", "-f", "qcow2", "-u", "-b", middle, "-F", "raw", lying, "1M"])
        #expect(refusal(lying) == "--image: \(lying) → \(middle): the header says qcow2, but libvirt would be told raw")
        // The top file is the user's to name; its backing file must be in a pool, or a base vmctl recorded.
        let outside = directory.appendingPathComponent("outside.qcow2").path
        try qemuImg(["create", "-q", "-f", "qcow2", "-b", top, "-F", "qcow2", outside])
        #expect(refusal(outside)?.hasSuffix("\(outside) → \(top): the backing file is outside the storage pools; a backing file must be a volume of a pool") == true)
        let recorded = ImageInspector(poolDirectories: [pool.path], allowedFiles: [top])
        #expect(try recorded.inspect(outside, field: "--image").backing.map(\.path) == [top, middle, base])
    }
}

/// The entry points on the test driver, whose volumes are no files here: the
/// inspector judges them by libvirt's view, and a clone states its disks' format.
@Suite struct ImageEntryPointTests {
    @Test func volumesAreJudgedByLibvirtsViewWhenTheirFilesAreNotHere() throws {
        let connection = try Fixture.connection()
        let pool = try connection.storagePool(named: "lab-pool")
        _ = try pool.createVolume(xml: """
            <volume><name>evil.qcow2</name><capacity unit='MiB'>1</capacity><target><format type='qcow2'/></target>
            <backingStore><path>/etc/shadow</path><format type='raw'/></backingStore></volume>
            """)
        let inspector = try ImageInspector.forPools(of: connection)
        #expect(inspector.daemonView != nil)
        let refused = vmctlError { () throws(VMCtlError) in try inspector.inspect("/lab-pool/evil.qcow2", field: "--image") }
        #expect(refused?.message == "--image: /lab-pool/evil.qcow2 → /etc/shadow: the backing file is outside the storage pools; a backing file must be a volume of a pool")
        #expect(refused?.status == .usage)
        let base = try inspector.inspect("/lab-pool/base.qcow2", field: "--image")
        #expect(base.format == .qcow2 && base.backing == [])
        let file = vmctlError { () throws(VMCtlError) in try inspector.inspect("/srv/image.qcow2", field: "--image") }
        #expect(file?.message.hasPrefix("--image: /srv/image.qcow2: not a volume of a pool") == true, "\(String(describing: file))")
    }

    /// An overlay or a copy is qcow2, whatever the source disk was: the clone's disk says so.
    @Test(arguments: [CloneMode.full, .linked])
    func aClonesDisksStateQcow2(mode: CloneMode) throws {
        let connection = try Fixture.connection()
        let definition = DomainDefinition(
            type: "test", name: ObjectName("raw-src"), memory: .mib(64),
            disks: [Disk(source: .file("/lab-pool/data.raw"), target: "vda", bus: .virtio, format: .raw)])
        _ = try connection.defineDomain(xml: try definition.xml())
        _ = try VMCloner(connection: connection).clone(source: "raw-src", as: "raw-copy", mode: mode)
        let clone = try DomainDefinition(xml: try connection.domain(named: "raw-copy").xml([.inactive]))
        #expect(clone.disks.map(\.format) == [.qcow2])
        let source = try DomainDefinition(xml: try connection.domain(named: "raw-src").xml([.inactive]))
        #expect(source.disks.map(\.format) == [mode == .linked ? .qcow2 : .raw], "a linked clone's source moves onto a qcow2 overlay")
    }
}
