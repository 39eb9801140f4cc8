import Foundation
import Libvirt
import Testing

/// Calls that need a running QEMU guest: peeking, saving with parameters,
/// block rebase and copy, I/O thread settings, dirty-rate measurement, VNC
/// connections, vCPU hotplug, the migration compression cache, backups. Each
/// test starts its own transient busybox guest (Docs/test-guest.md) under TCG.
@Suite(.enabled(if: SystemDaemon.enabled), .serialized) struct GuestCallTests {
    static let image = URL(fileURLWithPath: ProcessInfo.processInfo.environment["VMCTL_TEST_IMAGE"] ?? "/var/lib/vmctl/test-image")

    /// A guest's scratch directory, its qcow2 overlay (vda) over the test image
    /// and a raw data disk (vdb) of `rawDisk`'s bytes.
    struct Guest {
        let directory: URL
        let domain: Domain
        var overlay: URL { directory.appendingPathComponent("vda.qcow2") }
        var raw: URL { directory.appendingPathComponent("vdb.raw") }
        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    static let rawDisk: [UInt8] = (0..<65536).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }

    func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(arguments.joined(separator: " ")) failed")
    }

    /// With `secondVcpu`, a second, unplugged and hotpluggable vCPU; with `vnc`,
    /// a VNC display on a Unix socket in the guest's directory.
    func startGuest(
        _ scope: DaemonScope, flags: DomainCreateFlags = [.validate], secondVcpu: Bool = false, vnc: Bool = false
    ) throws -> Guest {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(scope.name(UUID().uuidString.prefix(8).lowercased()))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let base = Self.image.appendingPathComponent("base.qcow2").path
        let overlay = directory.appendingPathComponent("vda.qcow2").path
        try run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", base, overlay])
        try Data(Self.rawDisk).write(to: directory.appendingPathComponent("vdb.raw"))
        let domain = try scope.connection.createTransientDomain(xml: """
            <domain type='qemu'>
              <name>\(scope.name("guest"))</name>
              <memory unit='MiB'>128</memory>
              \(secondVcpu ? "<vcpu current='1'>2</vcpu>" : "<vcpu>1</vcpu>")
              \(secondVcpu ? "<vcpus><vcpu id='0' enabled='yes' hotpluggable='no'/><vcpu id='1' enabled='no' hotpluggable='yes'/></vcpus>" : "")
              <iothreads>1</iothreads>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                <kernel>\(Self.image.appendingPathComponent("vmlinuz").path)</kernel>
                <initrd>\(Self.image.appendingPathComponent("initrd.img").path)</initrd>
                <cmdline>console=ttyS0 quiet no_timer_check</cmdline>
              </os>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='\(overlay)'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <source file='\(directory.appendingPathComponent("vdb.raw").path)'/>
                  <target dev='vdb' bus='virtio'/>
                </disk>
                \(vnc ? "<graphics type='vnc' socket='\(directory.appendingPathComponent("vnc.sock").path)'/>" : "")
                <memballoon model='none'/>
              </devices>
            </domain>
            """, flags: flags)
        return Guest(directory: directory, domain: domain)
    }

    /// Waits for the disk's block job to end (true) or `seconds` to pass.
    func waitForJobEnd(_ domain: Domain, _ disk: String, seconds: Double = 30) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try domain.blockJobInfo(disk) == nil { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    @Test func blockPeekAndMemoryPeek() throws {
        let scope = try DaemonScope("peek")
        let guest = try startGuest(scope, flags: [.validate, .paused])
        defer {
            scope.clean()
            guest.remove()
        }
        #expect(try guest.domain.blockPeek("vdb", offset: 4096, size: 512) == Array(Self.rawDisk[4096..<4608]))
        #expect(try guest.domain.blockPeek(guest.raw.path, offset: 0, size: 16) == Array(Self.rawDisk[0..<16]))
        // QEMU peeks raw images only: a qcow2 one is refused with libvirt's error.
        #expect(errorCode { _ = try guest.domain.blockPeek("vda", offset: 0, size: 16) } == .operationUnsupported)
        #expect(errorCode { _ = try guest.domain.blockPeek("vdz", offset: 0, size: 16) } == .invalidArgument)

        // Started paused, no guest code has run: the top 64 KiB below 1 MiB are
        // the tail of the firmware image QEMU mapped there (SeaBIOS), ending in
        // the reset vector's far jump (0xEA) 16 bytes from the end.
        let top = try guest.domain.memoryPeek(at: 0xF0000, size: 65536, addressing: .physical)
        #expect(top[0xFFF0] == 0xEA)
        if let firmware = FileManager.default.contents(atPath: "/usr/share/seabios/bios-256k.bin") {
            #expect(top == Array(firmware.suffix(65536)))
        }
        #expect(try guest.domain.memoryPeek(at: 0xFFFF0, size: 16) == Array(top.suffix(16)))
    }

    @Test func saveAndRestoreWithParameters() throws {
        let scope = try DaemonScope("save")
        let guest = try startGuest(scope)
        defer {
            scope.clean()
            guest.remove()
        }
        let name = guest.domain.name
        let file = guest.directory.appendingPathComponent("state.save").path
        try guest.domain.save(DomainSaveParameters(file: file))
        // A saved transient domain is gone until restored.
        #expect(errorCode { _ = try scope.connection.domain(named: name) } == .noDomain)
        #expect(FileManager.default.fileExists(atPath: file))
        #expect(try scope.connection.savedDomainXML(at: file).contains("<name>\(name)</name>"))

        try scope.connection.restoreDomain(DomainSaveParameters(file: file), flags: .paused)
        let restored = try scope.connection.domain(named: name)
        #expect(try restored.state().state == .paused)
        #expect(errorCode { try scope.connection.restoreDomain(DomainSaveParameters(file: file + ".missing")) } != nil)
    }

    @Test func blockRebasePullsTheBackingChainAndBlockCopyPivotsToTheCopy() throws {
        let scope = try DaemonScope("copy")
        let guest = try startGuest(scope)
        defer {
            scope.clean()
            guest.remove()
        }
        let domain = guest.domain
        #expect(try domain.xml().contains("base.qcow2"))
        try domain.blockRebase("vda")
        #expect(try waitForJobEnd(domain, "vda"))
        #expect(try !domain.xml().contains("base.qcow2"))

        let copy = guest.directory.appendingPathComponent("copy.qcow2").path
        try domain.blockCopy("vda", destinationXML: """
            <disk type='file'><source file='\(copy)'/><driver type='qcow2'/></disk>
            """, parameters: ["bandwidth": .uint64(256 << 20)])
        let info = try #require(try domain.blockJobInfo("vda"))
        #expect(info.type == .copy)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, let job = try domain.blockJobInfo("vda"), job.end == 0 || job.current < job.end {
            Thread.sleep(forTimeInterval: 0.1)
        }
        try domain.blockJobAbort("vda", flags: .pivot)
        #expect(try waitForJobEnd(domain, "vda"))
        #expect(try domain.xml().contains("<source file='\(copy)'"))
        #expect(FileManager.default.fileExists(atPath: copy))

        // Rebase with .copy starts the same kind of job, to a path.
        let second = guest.directory.appendingPathComponent("second.qcow2").path
        try domain.blockRebase("vda", base: second, flags: [.copy])
        #expect(try domain.blockJobInfo("vda")?.type == .copy)
        try domain.blockJobAbort("vda")
        #expect(try waitForJobEnd(domain, "vda"))
        #expect(try domain.xml().contains("<source file='\(copy)'"))
    }

    @Test func ioThreadParametersAndDirtyRate() throws {
        let scope = try DaemonScope("iothr")
        let guest = try startGuest(scope)
        defer {
            scope.clean()
            guest.remove()
        }
        let domain = guest.domain
        try domain.setIOThreadParameters(id: 1, ["poll_max_ns": .uint64(12345), "poll_grow": .uint(3)])
        let stats = try #require(try scope.connection.domainStats(.iothread, of: [domain]).first)
        #expect(stats[integer: "iothread.1.poll-max-ns"] == 12345)
        #expect(stats[integer: "iothread.1.poll-grow"] == 3)
        #expect(errorCode { try domain.setIOThreadParameters(id: 9, ["poll_max_ns": .uint64(1)]) } == .invalidArgument)

        try domain.startDirtyRateCalculation(seconds: 1)
        let deadline = Date().addingTimeInterval(15)
        var status: UInt64? = nil
        var record: DomainStatsRecord? = nil
        while Date() < deadline {
            record = try scope.connection.domainStats(.dirtyRate, of: [domain]).first
            status = record?[integer: "dirtyrate.calc_status"]
            if status == 2 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(status == 2)
        #expect(record?[integer: "dirtyrate.calc_period"] == 1)
        #expect(record?[integer: "dirtyrate.megabytes_per_second"] != nil)
    }

    @Test func graphicsConnectionsSpeakVNC() throws {
        let scope = try DaemonScope("vnc")
        let guest = try startGuest(scope, flags: [.validate, .paused], vnc: true)
        defer {
            scope.clean()
            guest.remove()
        }
        // A VNC server greets each client with its protocol version.
        let greeting = Array("RFB 003.008\n".utf8)
        let connection = FileHandle(fileDescriptor: try guest.domain.openGraphicsConnection(), closeOnDealloc: true)
        #expect(try readExactly(connection, count: greeting.count) == greeting)

        var pair: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        let ours = FileHandle(fileDescriptor: pair[0], closeOnDealloc: true)
        let theirs = FileHandle(fileDescriptor: pair[1], closeOnDealloc: true)
        try guest.domain.openGraphics(socket: theirs.fileDescriptor, flags: .skipAuth)
        try theirs.close()  // libvirt passed a duplicate to QEMU
        #expect(try readExactly(ours, count: greeting.count) == greeting)
        #expect(errorCode { _ = try guest.domain.openGraphicsConnection(3) } != nil)
    }

    func readExactly(_ handle: FileHandle, count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count {
            guard let chunk = try handle.read(upToCount: count - bytes.count), !chunk.isEmpty else { break }
            bytes += chunk
        }
        return bytes
    }

    @Test func hotplugAVcpuAndSetTheCompressionCache() throws {
        let scope = try DaemonScope("vcpu")
        let guest = try startGuest(scope, flags: [.validate, .paused], secondVcpu: true)
        defer {
            scope.clean()
            guest.remove()
        }
        let domain = guest.domain
        #expect(try domain.vcpuCount(.live) == 1)
        try domain.setVcpu("1", enabled: true)
        #expect(try domain.vcpuCount(.live) == 2)
        #expect(try domain.xml().contains("<vcpu id='1' enabled='yes' hotpluggable='yes'"))
        #expect(errorCode { try domain.setVcpu("0", enabled: false) } != nil)  // not hotpluggable

        try domain.setMigrationCompressionCacheSize(32 << 20)
        #expect(try domain.migrationCompressionCacheSize() == 32 << 20)
        try domain.setMigrationCompressionCacheSize(128 << 20)
        #expect(try domain.migrationCompressionCacheSize() == 128 << 20)
    }

    @Test func pushAndPullBackupsWithACheckpoint() throws {
        let scope = try DaemonScope("backup")
        let guest = try startGuest(scope, flags: [.validate, .paused])
        defer {
            scope.clean()
            guest.remove()
        }
        let domain = guest.domain
        // A push backup of vda (the raw vdb has no room for a bitmap), taking a checkpoint with it.
        let target = guest.directory.appendingPathComponent("full.qcow2").path
        try domain.beginBackup(xml: """
            <domainbackup>
              <disks>
                <disk name='vda' type='file'><target file='\(target)'/><driver type='qcow2'/></disk>
                <disk name='vdb' backup='no'/>
              </disks>
            </domainbackup>
            """, checkpointXML: """
            <domaincheckpoint>
              <name>full</name>
              <disks><disk name='vda' checkpoint='bitmap'/><disk name='vdb' checkpoint='no'/></disks>
            </domaincheckpoint>
            """)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, try domain.jobInfo().type != .none { Thread.sleep(forTimeInterval: 0.1) }
        #expect(try domain.jobInfo().type == .none)
        #expect(try domain.jobStats(completed: true).type == .completed)
        #expect(FileManager.default.fileExists(atPath: target))
        #expect(try domain.checkpoints().map(\.name) == ["full"])
        #expect(try domain.checkpoint(named: "full").xml().contains("<disk name='vda' checkpoint='bitmap'"))
        #expect(errorCode { _ = try domain.backupXML() } != nil)  // no job any more

        // A pull backup, incremental since "full", stays until aborted.
        let socket = guest.directory.appendingPathComponent("nbd.sock").path
        try domain.beginBackup(xml: """
            <domainbackup mode='pull'>
              <incremental>full</incremental>
              <server transport='unix' socket='\(socket)'/>
              <disks>
                <disk name='vda' backup='yes' type='file'>
                  <scratch file='\(guest.directory.appendingPathComponent("scratch.qcow2").path)'/>
                </disk>
                <disk name='vdb' backup='no'/>
              </disks>
            </domainbackup>
            """)
        let xml = try domain.backupXML()
        #expect(xml.contains("<domainbackup mode='pull'>"))
        #expect(xml.contains("<incremental>full</incremental>"))
        #expect(xml.contains(socket))
        #expect(try domain.jobInfo().type == .unbounded)
        try domain.abortJob()
        // The job ends once QEMU has torn the export down.
        let end = Date().addingTimeInterval(15)
        while Date() < end, errorCode({ _ = try domain.backupXML() }) == nil { Thread.sleep(forTimeInterval: 0.1) }
        #expect(errorCode { _ = try domain.backupXML() } != nil)
        #expect(try domain.jobInfo().type == .none)
        try domain.checkpoint(named: "full").delete()
        #expect(try domain.checkpoints().isEmpty)
    }

    @Test func securityLabelsOfTheRunningGuest() throws {
        let scope = try DaemonScope("label")
        let guest = try startGuest(scope, flags: [.validate, .paused])
        defer {
            scope.clean()
            guest.remove()
        }
        let labels = try guest.domain.securityLabels()
        // The daemon's stack: its primary driver (here "none", with an empty
        // label), then DAC, which labels the QEMU process with its user and group.
        #expect(labels.count == 2)
        let model = try scope.connection.securityModel().model
        if model.isEmpty || model == "none" { #expect(labels.first?.label == "") }
        let user = try #require(labels.last?.label)
        #expect(user.hasPrefix("+") && user.contains(":+"))
        try guest.domain.destroy()
        #expect(errorCode { _ = try guest.domain.securityLabels() } != nil)
    }
}
