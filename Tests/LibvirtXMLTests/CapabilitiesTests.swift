import Foundation
import Testing
@testable import LibvirtXML

@Suite("Capabilities")
struct CapabilitiesTests {
    @Test("Host capabilities: domain types, emulator, machines for x86_64")
    func host() throws {
        let caps = try HostCapabilities(xml: try fixture("capabilities/host-qemu.xml"))
        #expect(caps.hostArch == "x86_64")
        #expect(caps.hostCPUVendor == "AMD")
        #expect(caps.guests.map(\.arch) == ["i686", "x86_64"])
        #expect(caps.domainTypes(arch: "x86_64") == [.qemu, .kvm])
        #expect(caps.preferredDomainType(arch: "x86_64") == .kvm)
        #expect(caps.emulator(arch: "x86_64", domainType: .kvm) == "/usr/bin/qemu-system-x86_64")
        #expect(caps.emulator(arch: "i686", domainType: .qemu) == "/usr/bin/qemu-system-i386")
        #expect(caps.emulator(arch: "aarch64", domainType: .kvm) == nil)
        #expect(caps.canonicalMachine("pc", arch: "x86_64") == "pc-i440fx-7.2")
        #expect(caps.canonicalMachine("q35", arch: "x86_64") == "pc-q35-7.2")
        #expect(caps.canonicalMachine("pc-q35-5.2", arch: "x86_64") == "pc-q35-5.2")
        #expect(caps.machines(arch: "x86_64").contains { $0.name == "pc-i440fx-1.5" && $0.deprecated })
        #expect(caps.guests(arch: "ppc64").isEmpty)
    }

    @Test("Domain capabilities: CPU modes and usable models")
    func domain() throws {
        let caps = try DomainCapabilities(xml: try fixture("capabilities/domain-qemu-x86_64.xml"))
        #expect(caps.path == "/usr/bin/qemu-system-x86_64")
        #expect(caps.domainType == .qemu)
        #expect(caps.machine == "pc-i440fx-7.2")
        #expect(caps.arch == "x86_64")
        #expect(caps.maxVCPUs == 255)
        #expect(!caps.hostPassthroughSupported)
        #expect(caps.maximumSupported)
        #expect(caps.hostModel == "EPYC")
        #expect(caps.usableCPUModels.contains("qemu64"))
        #expect(!caps.usableCPUModels.contains("phenom"))
        #expect(caps.cpuModels.contains { $0.name == "phenom" && $0.usable == "no" })
        #expect(caps.supportedCPUModes.first == .hostModel)
        #expect(!caps.supportsUEFI)
    }

    @Test("Capabilities built in code write XML that reads back equal")
    func builtInCode() throws {
        let host = HostCapabilities(
            hostArch: "x86_64", hostCPUModel: "Skylake-Client", hostCPUVendor: "Intel",
            guests: [
                .init(
                    arch: "x86_64", wordSize: 64, emulator: "/usr/bin/qemu-system-x86_64",
                    machines: [.init(name: "pc-q35-8.2", maxCPUs: 288), .init(name: "q35", canonical: "pc-q35-8.2", maxCPUs: 288)],
                    domains: [.init(type: .qemu), .init(type: .kvm, emulator: "/usr/libexec/qemu-kvm")])
            ])
        let back = try HostCapabilities(xml: try host.xml())
        #expect(back == host)
        #expect(back.emulator(arch: "x86_64", domainType: .kvm) == "/usr/libexec/qemu-kvm")
        #expect(back.canonicalMachine("q35", arch: "x86_64") == "pc-q35-8.2")
        let domain = DomainCapabilities(
            path: "/usr/bin/qemu-system-x86_64", domainType: .kvm, machine: "pc-q35-8.2", arch: "x86_64", maxVCPUs: 288,
            firmwares: ["bios", "efi"], hostPassthroughSupported: true, maximumSupported: true, hostModel: "Skylake-Client-IBRS",
            cpuModels: [.init(name: "Skylake-Client", usable: "yes", vendor: "Intel"), .init(name: "Opteron_G1", usable: "no", vendor: "AMD", deprecated: true)])
        let domainBack = try DomainCapabilities(xml: try domain.xml())
        #expect(domainBack == domain)
        #expect(domainBack.supportsUEFI)
        #expect(domainBack.supportedCPUModes == [.hostPassthrough, .hostModel, .maximum, .custom(model: "Skylake-Client")])
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-domcaps-\(getpid()).xml")
        try domain.xml().write(to: tmp, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let result = try run("virt-xml-validate", [tmp.path, "domaincaps"])
        #expect(result.status == 0, "\(result.output)")
    }
}
