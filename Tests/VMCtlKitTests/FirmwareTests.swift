import Foundation
import Libvirt
import LibvirtXML
import Testing
@testable import VMCtlKit

/// `--firmware` and `firmware:` on the test driver: the plan, the option's rule,
/// and a UEFI clone's own copy of its source's NVRAM.
@Suite struct FirmwareTests {
    @Test func optionTakesBIOSOrUEFIAndNamesTheFieldOtherwise() throws {
        #expect(try Firmware(option: "bios") == .bios)
        #expect(try Firmware(option: "uefi") == .uefi)
        #expect(Firmware.uefi.optionName == "uefi" && Firmware.bios.optionName == "bios")
        for bad in ["banana", "efi", "UEFI", ""] {
            let error = vmctlError { () throws(VMCtlError) in try Firmware(option: bad) }
            #expect(error?.message == "--firmware: \"\(bad)\" is not allowed: bios or uefi")
            #expect(error?.status == .usage)
        }
        #expect(vmctlError { () throws(VMCtlError) in try Firmware(option: "x", field: "nodes[0].firmware") }?.message
            == "nodes[0].firmware: \"x\" is not allowed: bios or uefi")
    }

    @Test func planAsksLibvirtForUEFIAndKeepsBIOSByDefault() throws {
        let connection = try Fixture.connection()
        let creator = VMCreator(connection: connection)
        var request = VMCreateRequest(name: "efi1")
        request.diskSize = "8M"
        request.pool = "lab-pool"
        let bios = try creator.plan(request, domainType: .init(type: .qemu, warnings: []))
        #expect(bios.domain.os.firmware == .bios && !bios.domain.os.bootsUEFI)
        #expect(try bios.domainXML().contains("<os>\n"))

        request.firmware = .uefi
        let uefi = try creator.plan(request, domainType: .init(type: .qemu, warnings: []))
        #expect(uefi.domain.os.firmware == .uefi)
        #expect(uefi.domain.os.nvram == nil, "libvirt names the NVRAM file itself")
        #expect(try uefi.domainXML().contains("<os firmware='efi'>\n    <type arch='x86_64'>hvm</type>\n"))
        // Same volumes either way; the firmware changes only <os>.
        #expect(uefi.volumes == bios.volumes)
        let domain = try creator.run(uefi)
        #expect(try DomainDefinition(xml: domain.xml([.inactive])).os.firmware == .uefi)
    }

    /// Undefining passes VIR_DOMAIN_UNDEFINE_NVRAM for a UEFI domain only: the test
    /// driver, which has no NVRAM, refuses the flag, so a BIOS domain still undefines there.
    @Test func undefineAsksForTheNVRAMOnlyForUEFI() throws {
        let connection = try Fixture.connection()
        let creator = VMCreator(connection: connection)
        func create(_ name: String, _ firmware: Firmware) throws {
            var request = VMCreateRequest(name: name)
            request.diskSize = "8M"
            request.pool = "lab-pool"
            request.firmware = firmware
            try creator.run(try creator.plan(request, domainType: .init(type: .qemu, warnings: [])))
        }
        try create("bios1", .bios)
        #expect(try VMLifecycle(connection: connection).undefine("bios1") == "bios1")
        try create("bios2", .bios)
        let deleted = try VMDeleter(connection: connection).delete("bios2", force: false)
        #expect(deleted.deletedVolumes == ["lab-pool/bios2.qcow2"])
        try create("efi3", .uefi)
        let refused = vmctlError { () throws(VMCtlError) in try VMLifecycle(connection: connection).undefine("efi3") }
        #expect(refused?.message.contains("unsupported flags (0x4)") == true, "\(String(describing: refused))")
    }

    /// The clone's NVRAM goes beside the source's, is a copy of it, and never overwrites a file.
    @Test func cloneGetsItsOwnCopyOfTheSourcesNVRAM() throws {
        let connection = try Fixture.connection()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-nvram-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sourcePath = directory.appendingPathComponent("efi-src_VARS.fd").path
        let variables = Data((0..<4096).map { UInt8($0 % 251) })
        try variables.write(to: URL(fileURLWithPath: sourcePath))
        // libvirt takes no template beside firmware='efi': it knows the firmware's own.
        var os = OSDefinition(firmware: .uefi)
        os.nvram = NVRAMStore(path: sourcePath)
        let definition = DomainDefinition(type: "test", name: ObjectName("efi-src"), memory: .mib(64), os: os)
        _ = try connection.defineDomain(xml: try definition.xml())

        let result = try VMCloner(connection: connection).clone(source: "efi-src", as: "efi-copy", mode: .full)
        #expect(result.clones == ["efi-copy"])
        let clonePath = directory.appendingPathComponent("efi-copy_VARS.fd").path
        let clone = try DomainDefinition(xml: try connection.domain(named: "efi-copy").xml([.inactive]))
        #expect(clone.os.firmware == .uefi)
        #expect(clone.os.nvram == NVRAMStore(path: clonePath))
        #expect(try Data(contentsOf: URL(fileURLWithPath: clonePath)) == variables)
        #expect(try Data(contentsOf: URL(fileURLWithPath: sourcePath)) == variables)
        let source = try DomainDefinition(xml: try connection.domain(named: "efi-src").xml([.inactive]))
        #expect(source.os.nvram?.path == sourcePath, "the source keeps its own file")

        // A file already where the clone's NVRAM would go is bad input: nothing is created, the file is kept.
        let taken = directory.appendingPathComponent("efi-taken_VARS.fd").path
        try Data("someone else's".utf8).write(to: URL(fileURLWithPath: taken))
        let error = vmctlError { () throws(VMCtlError) in
            try VMCloner(connection: connection).clone(source: "efi-src", as: "efi-taken", mode: .full)
        }
        #expect(error?.status == .usage)
        #expect(error?.message == "name: '\(taken)' already exists and would be efi-taken's NVRAM; remove what an earlier VM left there, or choose another name")
        #expect((try? connection.domain(named: "efi-taken")) == nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: taken)) == Data("someone else's".utf8))
    }

    @Test func nvramPathsFollowLibvirtsNaming() {
        #expect(UEFIFirmware.defaultNVRAMPath(domain: "web", uri: "qemu:///system") == "/var/lib/libvirt/qemu/nvram/web_VARS.fd")
        #expect(UEFIFirmware.defaultNVRAMPath(domain: "web", uri: "qemu+ssh://host/system?keyfile=/k")
            == "/var/lib/libvirt/qemu/nvram/web_VARS.fd")
        #expect(UEFIFirmware.defaultNVRAMPath(domain: "web", uri: "qemu:///session")?.hasSuffix("/libvirt/qemu/nvram/web_VARS.fd") == true)
        #expect(UEFIFirmware.defaultNVRAMPath(domain: "web", uri: "test:///default") == nil)
        #expect(VMCloner.nvramPath(clone: "b", beside: "/var/lib/libvirt/qemu/nvram/a_VARS.fd") == "/var/lib/libvirt/qemu/nvram/b_VARS.fd")
    }
}
