import Foundation
import Testing
@testable import LibvirtXML

/// `<os>`'s firmware: `firmware='efi'` (libvirt chooses OVMF), and the `<loader>`
/// and `<nvram>` elements libvirt writes once it has chosen (a running domain's XML).
@Suite("Firmware: UEFI, loader and NVRAM")
struct FirmwareModelTests {
    /// qemu:///system's XML of a running UEFI test guest (libvirt 9.0), renamed.
    func running() throws -> String { try fixture("edit/running-uefi.xml") }

    @Test("A running UEFI domain's loader and NVRAM read as libvirt chose them")
    func readsWhatLibvirtChose() throws {
        let domain = try DomainDefinition(xml: try running())
        #expect(domain.os.firmware == .bios, "libvirt drops firmware='efi' from a running domain's XML")
        #expect(domain.os.loader == FirmwareLoader(path: "/usr/share/OVMF/OVMF_CODE_4M.fd", type: .pflash, readOnly: true))
        #expect(domain.os.nvram == NVRAMStore(path: "/var/lib/libvirt/qemu/nvram/uefi-guest_VARS.fd",
                                              template: "/usr/share/OVMF/OVMF_VARS_4M.fd"))
        #expect(domain.os.bootsUEFI)
        #expect(try domain.xml() == (try running()))
    }

    @Test("Changing the NVRAM path changes only that line")
    func editNVRAMPath() throws {
        let text = try running()
        var domain = try DomainDefinition(xml: text)
        domain.os.nvram?.path = "/var/lib/libvirt/qemu/nvram/copy_VARS.fd"
        let expected = text.replacingOccurrences(of: "nvram/uefi-guest_VARS.fd", with: "nvram/copy_VARS.fd")
        #expect(expected != text)
        #expect(try domain.xml() == expected)
        try expectSchemaValid(try domain.xml())
    }

    @Test("Removing loader and NVRAM leaves the rest of <os>")
    func removeLoaderAndNVRAM() throws {
        let text = try running()
        var domain = try DomainDefinition(xml: text)
        domain.os.loader = nil
        domain.os.nvram = nil
        domain.os.firmware = .uefi
        let written = try domain.xml()
        #expect(!written.contains("<loader") && !written.contains("<nvram"))
        #expect(written.contains("<os firmware='efi'>\n    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>\n    <kernel>"))
        #expect(try DomainDefinition(xml: written).os.bootsUEFI)
    }

    @Test("A new UEFI domain writes firmware='efi', and an explicit NVRAM path in libvirt's order")
    func writesNew() throws {
        var os = OSDefinition(arch: "x86_64", firmware: .uefi, kernel: "/boot/vmlinuz")
        os.nvram = NVRAMStore(path: "/var/lib/libvirt/qemu/nvram/web_VARS.fd")
        let domain = DomainDefinition(type: .qemu, name: ObjectName("web"), memory: .mib(256), os: os)
        let written = try domain.xml()
        #expect(written.contains("""
              <os firmware='efi'>
                <type arch='x86_64'>hvm</type>
                <nvram>/var/lib/libvirt/qemu/nvram/web_VARS.fd</nvram>
                <kernel>/boot/vmlinuz</kernel>
              </os>
            """), "\(written)")
        try expectSchemaValid(written)
        let back = try DomainDefinition(xml: written)
        #expect(back.os == os)

        var loaded = os
        loaded.firmware = .bios
        loaded.loader = FirmwareLoader(path: "/usr/share/OVMF/OVMF_CODE_4M.fd", type: .pflash, readOnly: true, secure: false)
        let explicit = try DomainDefinition(type: .qemu, name: ObjectName("web"), memory: .mib(256), os: loaded).xml()
        #expect(explicit.contains("<loader readonly='yes' secure='no' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>\n    <nvram>"))
        try expectSchemaValid(explicit)
        #expect(try DomainDefinition(xml: explicit).os == loaded)
    }

    @Test("A BIOS domain is not UEFI")
    func biosIsNotUEFI() throws {
        let domain = try DomainDefinition(xml: "<domain type='qemu'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>")
        #expect(domain.os.firmware == .bios && domain.os.loader == nil && domain.os.nvram == nil)
        #expect(!domain.os.bootsUEFI)
        let rom = try DomainDefinition(xml: "<domain type='qemu'><name>a</name><memory>1024</memory><os><type>hvm</type><loader type='rom'>/usr/share/seabios/bios.bin</loader></os></domain>")
        #expect(!rom.os.bootsUEFI)
    }

    @Test("Bad loader and NVRAM values name their field")
    func badValues() throws {
        #expect { try DomainDefinition(xml: "<domain type='qemu'><name>a</name><memory>1024</memory><os><type>hvm</type><loader readonly='maybe'>/x</loader></os></domain>") } throws: {
            ($0 as? ModelError)?.field == "os.loader.readonly"
        }
        #expect { try DomainDefinition(xml: "<domain type='qemu'><name>a</name><memory>1024</memory><os firmware='uefi'><type>hvm</type></os></domain>") } throws: {
            ($0 as? ModelError)?.field == "os.firmware"
        }
        var domain = DomainDefinition(type: .qemu, name: ObjectName("a"), memory: .mib(256), os: OSDefinition(firmware: .uefi))
        domain.os.nvram = NVRAMStore(path: "relative_VARS.fd")
        #expect { try domain.xml() } throws: { ($0 as? ModelError)?.field == "os.nvram" }
        domain.os.nvram = NVRAMStore(path: "/ok_VARS.fd", template: "VARS.fd")
        #expect { try domain.xml() } throws: { ($0 as? ModelError)?.field == "os.nvram.template" }
        domain.os.nvram = nil
        domain.os.loader = FirmwareLoader(path: "OVMF_CODE.fd")
        #expect { try domain.xml() } throws: { ($0 as? ModelError)?.field == "os.loader" }
    }
}
