import Foundation
import Libvirt
import LibvirtXML
import Testing
import VMCtlKit

/// UEFI guests on the real libvirtd: `vm create --firmware uefi` boots the test
/// guest through OVMF (the guest itself reports /sys/firmware/efi), each VM has
/// its own NVRAM file, a clone gets a copy of its source's, `vm delete` removes
/// it, and a running pflash guest's snapshot is refused in one line. Both tests
/// use the scope `uefi`, so they run one after the other.
@Suite(.serialized, .enabled(if: Daemon.enabled)) struct IntegrationUEFITests {
    /// libvirt's NVRAM directory for qemu:///system.
    static let nvramDirectory = "/var/lib/libvirt/qemu/nvram"

    static func nvramPath(_ vm: String) -> String { "\(nvramDirectory)/\(vm)_VARS.fd" }

    /// The line the test guest prints right after `booted`: `uefi` or `bios`.
    static func firmwareLine(_ lines: [String]) -> String? {
        lines.first { $0.hasPrefix("VMCTL-FIRMWARE: ") }.map { String($0.dropFirst("VMCTL-FIRMWARE: ".count)) }
    }

    /// NVRAM files of this scope that an interrupted run left (their domains are gone).
    static func removeLeftoverNVRAM(_ scope: TestScope) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: nvramDirectory)) ?? []
        for file in files where file.hasPrefix(scope.prefix) {
            try? FileManager.default.removeItem(atPath: "\(nvramDirectory)/\(file)")
        }
    }

    @Test func uefiGuestBootsThroughOVMFAndOwnsItsNVRAM() async throws {
        let scope = try TestScope("uefi")
        Self.removeLeftoverNVRAM(scope)
        defer {
            scope.clean()
            Self.removeLeftoverNVRAM(scope)
        }
        let lab = try IntegrationVMTests.Lab(scope)
        let connection = scope.connection
        let source = scope.name("src")
        let log = lab.serialLog(source)

        // vm create --firmware uefi, through the CLI: the dry run shows firmware='efi', the real run boots it.
        let create = ["vm", "create", source, "--image", "\(lab.poolName)/base.qcow2", "--pool", lab.poolName,
                      "--kernel", Daemon.image.appendingPathComponent("vmlinuz").path,
                      "--initrd", Daemon.image.appendingPathComponent("initrd.img").path,
                      "--cmdline", IntegrationVMTests.Lab.cmdline(marker: "uefi-src"), "--memory", "192M",
                      "--serial-file", log.path, "--type", "qemu", "--firmware", "uefi", "--connect", Daemon.uri]
        let dryRun = try await runVMCtl(create + ["--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.errors)")
        #expect(dryRun.output.contains("<os firmware='efi'>"), "\(dryRun.output)")
        #expect((try? connection.domain(named: source)) == nil, "a dry run defined the domain")

        let started = Date()
        let created = try await runVMCtl(create + ["--start"])
        #expect(created.status == 0, "\(created.errors)")
        let booted = waitUntil(seconds: 180) { Self.firmwareLine(serialLines(log)) != nil }
        let bootSeconds = Date().timeIntervalSince(started)
        try #require(booted, "no firmware line; serial: \(serialLines(log).suffix(8))")
        #expect(Self.firmwareLine(serialLines(log)) == "uefi", "the guest did not boot through UEFI: \(serialLines(log).suffix(8))")
        #expect(waitUntil(seconds: 120) { serialLines(log).contains("VMCTL-TEST-GUEST: ready") })
        let readySeconds = Date().timeIntervalSince(started)
        #expect(serialLines(log).contains("VMCTL-MARKER-WRITTEN: uefi-src"))
        let uptime = serialLines(log).first { $0.hasPrefix("VMCTL-UPTIME: ") } ?? "no uptime line"
        print("IntegrationUEFITests: UEFI guest under TCG: firmware line \(String(format: "%.1f", bootSeconds)) s, ready \(String(format: "%.1f", readySeconds)) s after vm create --start (\(uptime))")

        // The running domain's XML names what libvirt chose; the model reads it and writes it back unchanged.
        let domain = try connection.domain(named: source)
        let liveXML = try domain.xml()
        let live = try DomainDefinition(xml: liveXML)
        #expect(live.os.bootsUEFI)
        #expect(live.os.loader?.type == .pflash)
        #expect(live.os.loader?.readOnly == true)
        #expect(live.os.nvram?.path == Self.nvramPath(source))
        #expect(live.os.nvram?.template?.hasPrefix("/usr/share/OVMF/") == true)
        #expect(try live.xml() == liveXML)
        #expect(FileManager.default.fileExists(atPath: Self.nvramPath(source)))

        // libvirt takes no internal snapshot of a running pflash guest: one line, the alternative, exit 64.
        let refused = try await runVMCtl(["snapshot", "create", source, "running", "--connect", Daemon.uri])
        #expect(refused.status == 64)
        #expect(refused.errors.split(separator: "\n").count == 1, "\(refused.errors)")
        #expect(refused.errors.hasPrefix("vmctl: error: snapshot create: '\(source)' is running UEFI firmware from pflash"), "\(refused.errors)")
        #expect(refused.errors.contains("vmctl vm stop \(source)"))
        #expect(refused.errors.contains("(libvirt error operation-unsupported, code 84)"), "\(refused.errors)")
        #expect(try SnapshotService(connection: connection).list(vm: source).isEmpty)

        // Shut off, the same guest's disks are snapshotted, and reverting undoes a change.
        try VMLifecycle(connection: connection).stop(source, timeout: 30, force: true)
        let snapshots = SnapshotService(connection: connection)
        _ = try snapshots.create(vm: source, name: "clean", description: nil)
        try lab.setMarker(source, "after-snap")
        #expect(try lab.boot(source).contains("VMCTL-MARKER-WRITTEN: after-snap"))
        try snapshots.revert(vm: source, name: "clean")
        try lab.setMarker(source, nil)
        let reverted = try lab.boot(source)
        #expect(lab.markers(reverted) == "uefi-src", "revert kept the change: \(String(describing: lab.markers(reverted)))")
        try snapshots.delete(vm: source, name: "clean")

        // A clone gets its own NVRAM, a copy of the source's, and boots through UEFI.
        let clone = scope.name("clone")
        let sourceNVRAM = try Data(contentsOf: URL(fileURLWithPath: Self.nvramPath(source)))
        _ = try VMCloner(connection: connection).clone(source: source, as: clone, mode: .linked)
        let cloneDefinition = try DomainDefinition(xml: try connection.domain(named: clone).xml([.inactive]))
        #expect(cloneDefinition.os.firmware == .uefi)
        #expect(cloneDefinition.os.nvram?.path == Self.nvramPath(clone))
        #expect(try Data(contentsOf: URL(fileURLWithPath: Self.nvramPath(clone))) == sourceNVRAM)
        try lab.setMarker(clone, "uefi-clone")
        let cloneBoot = try lab.boot(clone)
        #expect(Self.firmwareLine(cloneBoot) == "uefi")
        #expect(cloneBoot.contains("VMCTL-MARKER-WRITTEN: uefi-clone"))
        let cloneLive = try DomainDefinition(xml: try connection.domain(named: clone).xml([.inactive]))
        #expect(cloneLive.os.nvram?.path == Self.nvramPath(clone))

        // vm delete removes the VM's NVRAM file and only its own.
        let deleted = try await runVMCtl(["vm", "delete", source, "--connect", Daemon.uri])
        #expect(deleted.status == 0, "\(deleted.errors)")
        #expect(!FileManager.default.fileExists(atPath: Self.nvramPath(source)))
        #expect(FileManager.default.fileExists(atPath: Self.nvramPath(clone)))
        // vm undefine keeps the disks but not the NVRAM, which is part of the definition.
        let undefined = try await runVMCtl(["vm", "undefine", clone, "--connect", Daemon.uri])
        #expect(undefined.status == 0, "\(undefined.errors)")
        #expect(!FileManager.default.fileExists(atPath: Self.nvramPath(clone)))
        #expect((try? connection.storagePool(named: lab.poolName).volume(named: clone + ".qcow2")) != nil)
        #expect(try connection.domains().filter { $0.name.hasPrefix(scope.prefix) }.isEmpty)
    }

    @Test func biosGuestSaysBIOSAndHasNoNVRAM() throws {
        let scope = try TestScope("uefi")
        defer { scope.clean() }
        let lab = try IntegrationVMTests.Lab(scope)
        let name = scope.name("vm")
        var request = lab.createRequest(name, marker: nil)
        request.networks = []
        let creator = VMCreator(connection: scope.connection)
        let plan = try creator.plan(request, domainType: .init(type: .qemu, warnings: []))
        #expect(plan.domain.os.firmware == .bios)
        #expect(!(try plan.domainXML()).contains("firmware="))
        try creator.run(plan)
        let lines = try lab.boot(name)
        #expect(Self.firmwareLine(lines) == "bios", "\(lines.suffix(8))")
        #expect(!FileManager.default.fileExists(atPath: Self.nvramPath(name)))
        _ = try VMDeleter(connection: scope.connection).delete(name, force: true)
    }
}
