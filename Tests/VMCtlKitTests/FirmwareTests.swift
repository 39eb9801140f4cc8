import Foundation
import Libvirt
import LibvirtXML
import Testing
@testable import VMCtlKit

/// `--firmware` and `firmware:` on the test driver: the plan and the option's rule.
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
}
