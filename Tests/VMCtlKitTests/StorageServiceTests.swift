import Foundation
import Libvirt
import LibvirtXML
import Testing
@testable import VMCtlKit

@Suite struct StorageServiceTests {
    func service() throws -> StorageService { StorageService(connection: try Fixture.connection()) }

    func poolNames(_ service: StorageService) throws -> [String] {
        try service.connection.storagePools().map(\.name).sorted()
    }

    func volumeNames(_ service: StorageService, _ pool: String = "lab-pool") throws -> [String] {
        try service.connection.storagePool(named: pool).volumes().map(\.name).sorted()
    }

    @Test(arguments: [
        (PoolCreateRequest(name: "bad/name", kind: .dir, target: "/srv/p"),
         #"name: "bad/name" is not allowed: use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most 64 characters"#),
        (PoolCreateRequest(name: "lab-pool", kind: .dir, target: "/srv/p"), "name: a storage pool named 'lab-pool' already exists"),
        (PoolCreateRequest(name: "p", kind: .dir), "--target: a dir pool needs a target directory"),
        (PoolCreateRequest(name: "p", kind: .dir, target: "relative/dir"), #"--target: "relative/dir" is not allowed: must be an absolute path"#),
        (PoolCreateRequest(name: "p", kind: .dir, target: "/lab-pool/"), "--target: /lab-pool/ is already the target of pool 'lab-pool'"),
        (PoolCreateRequest(name: "p", kind: .dir, target: "/srv/p", sourceHost: "nfs1"), "--source-host: not used by dir pools (only netfs)"),
        (PoolCreateRequest(name: "p", kind: .fs, target: "/srv/p"), "--source-dev: an fs pool needs the block device to mount"),
        (PoolCreateRequest(name: "p", kind: .netfs, target: "/srv/p", sourcePath: "/export"), "--source-host: a netfs pool needs the NFS server"),
        (PoolCreateRequest(name: "p", kind: .netfs, target: "/srv/p", sourceHost: "nfs1"), "--source-path: a netfs pool needs the exported directory"),
        (PoolCreateRequest(name: "p", kind: .logical), "--source-name: a logical pool needs a volume group name (or --source-dev to build one)"),
        (PoolCreateRequest(name: "p", kind: .logical, sourceName: "bad vg"),
         #"--source-name: "bad vg" is not allowed: use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most 64 characters"#),
    ])
    func invalidPoolRequests(request: PoolCreateRequest, message: String) throws {
        let service = try service()
        let before = try poolNames(service)
        let error = vmctlError { () throws(VMCtlError) in try service.createPool(request) }
        #expect(error?.message == message)
        #expect(error?.status == .usage)
        #expect(try poolNames(service) == before)
    }

    @Test func poolCreateStopStartDelete() throws {
        let service = try service()
        let pool = try service.createPool(PoolCreateRequest(name: "images", kind: .dir, target: "/srv/images", autostart: true))
        #expect(pool.type == "dir")
        #expect(pool.target == "/srv/images")
        #expect(pool.active && pool.autostart && pool.persistent)
        #expect(pool.volumes == 0)
        #expect(try service.listPools().map(\.name) == ["images", "lab-pool"])
        #expect(try service.stopPool("images").action == "stopped")
        #expect(try service.showPool("images").volumeList == nil)
        #expect(try service.startPool("images").action == "started")
        #expect(try service.refreshPool("images").action == "refreshed")
        #expect(try service.deletePool("images", deleteData: true) == ActionResult(kind: "pool", name: "images", action: "deleted"))
        #expect(try poolNames(service) == ["lab-pool"])
    }

    @Test func logicalAndNetfsDefinitions() throws {
        let service = try service()
        let nfs = try service.plan(PoolCreateRequest(name: "shared", kind: .netfs, target: "/mnt/shared", sourceHost: "nfs1", sourcePath: "/export/lab"))
        #expect(nfs.source.hosts == ["nfs1"])
        #expect(nfs.source.dir == "/export/lab")
        let vg = try service.plan(PoolCreateRequest(name: "vg", kind: .logical, sourceName: "vg_lab"))
        #expect(vg.type == .logical)
        #expect(vg.source.name == "vg_lab")
        #expect(try poolNames(service) == ["lab-pool"])
    }

    @Test func poolRollbackWhenStartFails() throws {
        var service = try service()
        service.startPool = { _ in throw LibvirtError(code: .operationFailed, message: "forced start failure") }
        let error = vmctlError { () throws(VMCtlError) in
            try service.createPool(PoolCreateRequest(name: "doomed", kind: .dir, target: "/srv/doomed"))
        }
        #expect(error?.message
            == "starting pool 'doomed' failed, so its definition was removed: forced start failure (libvirt error operation-failed, code 9)")
        #expect(try poolNames(service) == ["lab-pool"])
    }

    @Test func deleteDataRefusesPoolWithVolumes() throws {
        let service = try service()
        let error = vmctlError { () throws(VMCtlError) in try service.deletePool("lab-pool", deleteData: true) }
        #expect(error?.message == "pool 'lab-pool' still holds 2 volumes ('base.qcow2', 'data.raw'); delete them first or leave out --delete-data")
        #expect(try poolNames(service) == ["lab-pool"])
        // Without --delete-data the definition goes and the volumes stay on disk.
        _ = try service.deletePool("lab-pool", deleteData: false)
        #expect(try poolNames(service).isEmpty)
    }

    @Test func volumeDeleteRefusesWhatADomainOrAnotherVolumeUses() throws {
        let service = try service()
        _ = try service.createVolume(pool: "lab-pool", name: "top.qcow2", size: nil, format: nil, backing: "base.qcow2")
        let backing = vmctlError { () throws(VMCtlError) in try service.deleteVolume(pool: "lab-pool", name: "base.qcow2") }
        #expect(backing?.message == "volume: 'lab-pool/base.qcow2' is the backing file of lab-pool/top.qcow2; deleting it would break that volume (pass --force to delete anyway)")
        #expect(backing?.status == .usage)

        let disk = DomainDefinition(
            type: HypervisorType(rawValue: "test"), name: ObjectName("uses-data"), memory: ByteSize(bytes: 64 << 20), vcpus: 1,
            os: OSDefinition(arch: "x86_64"), disks: [Disk(source: .file("/lab-pool/data.raw"), target: "vda", format: .raw)])
        _ = try service.connection.defineDomain(xml: try disk.xml())
        let used = vmctlError { () throws(VMCtlError) in try service.deleteVolume(pool: "lab-pool", name: "data.raw") }
        #expect(used?.message == "volume: 'lab-pool/data.raw' is used by uses-data; delete or change those first, or pass --force")
        #expect(try volumeNames(service).contains("data.raw"))
        #expect(try service.deleteVolume(pool: "lab-pool", name: "data.raw", force: true).action == "deleted")
        #expect(try service.deleteVolume(pool: "lab-pool", name: "top.qcow2").action == "deleted")
        #expect(try service.deleteVolume(pool: "lab-pool", name: "base.qcow2").action == "deleted")
    }

    @Test func volumeCreateCloneDelete() throws {
        let service = try service()
        let created = try service.createVolume(pool: "lab-pool", name: "node1.qcow2", size: "20G", format: nil, backing: nil)
        #expect(created.format == "qcow2")
        #expect(created.capacityBytes == 20 << 30)
        #expect(created.path == "/lab-pool/node1.qcow2")
        let raw = try service.createVolume(pool: "lab-pool", name: "swap.raw", size: "512M", format: "raw", backing: nil)
        #expect(raw.format == "raw")
        let overlay = try service.createVolume(pool: "lab-pool", name: "node2.qcow2", size: nil, format: nil, backing: "base.qcow2")
        #expect(overlay.backing == "/lab-pool/base.qcow2")
        #expect(overlay.capacityBytes == 2 << 30)
        let byPath = try service.createVolume(pool: "lab-pool", name: "node3.qcow2", size: "4G", format: nil, backing: "/lab-pool/base.qcow2")
        #expect(byPath.backing == "/lab-pool/base.qcow2")
        let clone = try service.cloneVolume(pool: "lab-pool", source: "data.raw", name: "data-copy.raw")
        #expect(clone.capacityBytes == 1 << 30)
        #expect(try volumeNames(service) == ["base.qcow2", "data-copy.raw", "data.raw", "node1.qcow2", "node2.qcow2", "node3.qcow2", "swap.raw"])
        for name in ["node1.qcow2", "swap.raw", "node2.qcow2", "node3.qcow2", "data-copy.raw"] {
            #expect(try service.deleteVolume(pool: "lab-pool", name: name).action == "deleted")
        }
        #expect(try service.listVolumes(pool: "lab-pool").map(\.name) == ["base.qcow2", "data.raw"])
    }

    @Test(arguments: [
        ("lab-pool", "x", "2G", "vmdk", nil as String?, #"--format: "vmdk" is not allowed: use qcow2 or raw"#),
        ("lab-pool", "x", "lots", nil, nil,
         #"--size: "lots" is not allowed: unknown unit; write a non-negative number with an optional unit: b, K/KiB, M/MiB, G/GiB, T/TiB (1024-based) or KB, MB, GB, TB (1000-based)"#),
        ("lab-pool", "x", "0", nil, nil, "--size: must be more than 0 bytes"),
        ("lab-pool", "x", nil, nil, nil, "--size: required unless --backing is given"),
        ("lab-pool", "bad name", "1G", nil, nil,
         #"name: "bad name" is not allowed: use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most 64 characters"#),
        ("lab-pool", "data.raw", "1G", nil, nil, "name: pool 'lab-pool' already has a volume named 'data.raw'"),
        ("nopool", "x", "1G", nil, nil, "pool: no storage pool named 'nopool'"),
        ("lab-pool", "x", "1G", nil, "missing.qcow2", "--backing: no volume named 'missing.qcow2' in pool 'lab-pool'"),
        ("lab-pool", "x", "1G", nil, "/nowhere/base.qcow2",
         "--backing: '/nowhere/base.qcow2' is not a volume of any storage pool (refresh the pool, or import the image first)"),
        ("lab-pool", "x", "1G", "raw", "base.qcow2", "--backing: an overlay must be qcow2; leave out --format raw"),
        ("lab-pool", "x", "1G", nil, "base.qcow2", "--size: 1 GiB is smaller than the backing image (2 GiB)"),
    ])
    func invalidVolumeRequests(pool: String, name: String, size: String?, format: String?, backing: String?, message: String) throws {
        let service = try service()
        let error = vmctlError { () throws(VMCtlError) in
            try service.createVolume(pool: pool, name: name, size: size, format: format, backing: backing)
        }
        #expect(error?.message == message)
        #expect(error?.status == .usage)
        #expect(try volumeNames(service) == ["base.qcow2", "data.raw"])
    }

    @Test func volumeLookupsAndResizeRules() throws {
        let service = try service()
        #expect(vmctlError { () throws(VMCtlError) in try service.deleteVolume(pool: "lab-pool", name: "nope") }?.message
            == "volume: no volume named 'nope' in pool 'lab-pool'")
        #expect(vmctlError { () throws(VMCtlError) in try service.cloneVolume(pool: "lab-pool", source: "data.raw", name: "base.qcow2") }?.message
            == "name: pool 'lab-pool' already has a volume named 'base.qcow2'")
        let shrink = vmctlError { () throws(VMCtlError) in try service.resizeVolume(pool: "lab-pool", name: "base.qcow2", size: "1G", shrink: false) }
        #expect(shrink?.message == "size: 1 GiB is smaller than the current 2 GiB; pass --shrink to shrink (data past the new end is lost)")
        #expect(shrink?.status == .usage)
        // Same size: nothing to do, no libvirt call (the test driver cannot resize).
        #expect(try service.resizeVolume(pool: "lab-pool", name: "base.qcow2", size: "2G", shrink: false).capacityBytes == 2 << 30)
        _ = try service.stopPool("lab-pool")
        #expect(vmctlError { () throws(VMCtlError) in try service.listVolumes(pool: "lab-pool") }?.message
            == "pool: storage pool 'lab-pool' is not running; start it with 'vmctl pool start lab-pool'")
    }

    @Test func importValidation() throws {
        let service = try service()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        func importError(_ path: String, _ name: String? = "img", _ format: String? = nil) -> String? {
            vmctlError { () throws(VMCtlError) in try service.importVolume(pool: "lab-pool", file: path, name: name, format: format) }?.message
        }
        let vhd = try file("a.vhd", Array("conectix".utf8) + [UInt8](repeating: 0, count: 504))
        #expect(importError(vhd) == "file: \(vhd): a vhd image is not allowed; vmctl takes raw or qcow2 (qemu-img convert -O qcow2)")
        let raw = try file("a.img", [UInt8](repeating: 1, count: 4096))
        #expect(importError(raw, "img", "qcow2") == "--format: '\(raw)' is raw (its header), not qcow2")
        #expect(importError(raw, "data.raw") == "name: pool 'lab-pool' already has a volume named 'data.raw'")
        let overlay = try file("o.qcow2", ImageHeaderTests.qcow2(backing: "/lab-pool/base.qcow2", format: "qcow2"))
        #expect(importError(overlay) == "file: \(overlay) → /lab-pool/base.qcow2: does not exist")
        // An image larger than the whole pool (100 GiB) is refused before its volume is made.
        let huge = try file("huge.qcow2", ImageHeaderTests.qcow2(size: 101 << 30))
        #expect(importError(huge) == "file: 101 GiB is not allowed: more than pool 'lab-pool' holds (100.0 GiB in all)")
        let missing = vmctlError { () throws(VMCtlError) in try service.importVolume(pool: "lab-pool", file: "/no/such.img", name: nil, format: nil) }
        #expect(missing?.message == "file: '/no/such.img' does not exist")
        #expect(try volumeNames(service) == ["base.qcow2", "data.raw"])
    }

    /// The test driver's volume paths do not exist on disk, so the copy fails: the volume must go again.
    @Test func importRollsBackWhenCopyFails() throws {
        let service = try service()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-unit-\(UUID().uuidString).img")
        try Data(repeating: 1, count: 4096).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let error = vmctlError { () throws(VMCtlError) in try service.importVolume(pool: "lab-pool", file: file.path, name: "img.raw", format: nil) }
        #expect(error?.message == "cannot open '/lab-pool/img.raw' for writing: No such file or directory; volume 'img.raw' was removed again")
        #expect(error?.status == .failure)
        #expect(try volumeNames(service) == ["base.qcow2", "data.raw"])
    }

    @Test func copyFileKeepsBytesAndHoles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var bytes = Data(repeating: 0, count: 9 << 20)
        bytes[0] = 7
        bytes[bytes.count - 1] = 9
        let source = directory.appendingPathComponent("in")
        let destination = directory.appendingPathComponent("out")
        try bytes.write(to: source)
        try Data(repeating: 5, count: 20 << 20).write(to: destination)
        var reports: [UInt64] = []
        try copyFile(from: source.path, to: destination.path) { done, total in
            #expect(total == 9 << 20)
            reports.append(done)
        }
        #expect(try Data(contentsOf: destination) == bytes)
        #expect(reports == [4 << 20, 8 << 20, 9 << 20])
    }

    @Test func humanSizes() {
        #expect(human(0) == "0 B")
        #expect(human(1023) == "1023 B")
        #expect(human(300 << 20) == "300.0 MiB")
        #expect(human(1_395_864_371) == "1.3 GiB")
        #expect(human(100 << 30) == "100.0 GiB")
    }
}
