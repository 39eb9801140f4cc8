import Foundation
import Testing
@testable import HostCheck

@Suite struct CPUInfoParserTests {
    @Test func intelWithVMX() {
        let text = """
        processor\t: 0
        vendor_id\t: GenuineIntel
        model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz
        flags\t\t: fpu vme lm vmx ept sse2

        processor\t: 1
        vendor_id\t: GenuineIntel
        model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz
        flags\t\t: fpu vme lm vmx ept sse2
        """
        let cpu = CPUInfo.parse(text)
        #expect(cpu.architecture == .x86)
        #expect(cpu.vendor == "GenuineIntel")
        #expect(cpu.model == "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz")
        #expect(cpu.processorCount == 2)
        #expect(cpu.virtualizationExtension == "vmx")
        #expect(cpu.kvmVendorModule == "kvm_intel")
        #expect(cpu.qemuArch == "x86_64")
        #expect(!cpu.runsUnderHypervisor)
    }

    @Test func amdWithoutSVMUnderHypervisor() {
        let cpu = CPUInfo.parse("processor : 0\nvendor_id : AuthenticAMD\nmodel name : AMD EPYC\nflags : fpu lm hypervisor vmmcall\n")
        #expect(cpu.virtualizationExtension == nil)
        #expect(cpu.isAMD)
        #expect(cpu.runsUnderHypervisor)
        #expect(cpu.kvmVendorModule == "kvm_amd")
    }

    @Test func flagWordsAreWholeWords() {
        // "svm_lock" and "vmx_foo"-like words must not count as svm/vmx.
        let cpu = CPUInfo.parse("processor : 0\nvendor_id : AuthenticAMD\nflags : svm_lock vmx_ept lm\n")
        #expect(cpu.virtualizationExtension == nil)
    }

    @Test func armHasFeaturesNotFlags() {
        let text = "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd aes\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU part\t: 0xd0c\n"
        let cpu = CPUInfo.parse(text)
        #expect(cpu.architecture == .arm)
        #expect(cpu.vendor == "ARM")
        #expect(cpu.model == "part 0xd0c")
        #expect(cpu.flags.contains("asimd"))
        #expect(cpu.qemuArch == "aarch64")
        #expect(cpu.kvmVendorModule == nil)
        #expect(cpu.virtualizationExtension == nil)
    }

    @Test func emptyIsOther() {
        let cpu = CPUInfo.parse("")
        #expect(cpu.architecture == .other)
        #expect(cpu.qemuArch == nil)
    }
}

@Suite struct SmallParserTests {
    @Test func procModules() {
        let m = ProcModules.parse("kvm_intel 409600 0 - Live 0x0\nkvm 1138688 1 kvm_intel, Live 0x0\nbroken\n")
        #expect(m.isLoaded("kvm"))
        #expect(m.isLoaded("kvm_intel"))
        #expect(!m.isLoaded("kvm_amd"))
        #expect(m.modules["kvm"]?.usedBy == ["kvm_intel"])
        #expect(m.modules["kvm_intel"]?.usedBy == [])
        #expect(m.modules.count == 2)
    }

    @Test func moduleBool() {
        #expect(parseModuleBool("Y\n") == true)
        #expect(parseModuleBool("1") == true)
        #expect(parseModuleBool("N") == false)
        #expect(parseModuleBool("0\n") == false)
        #expect(parseModuleBool("maybe") == nil)
    }

    @Test func cgroupV1() {
        let mounts = """
        tmpfs /sys/fs/cgroup tmpfs ro 0 0
        cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,cpu,cpuacct 0 0
        cgroup /sys/fs/cgroup/systemd cgroup rw,xattr,name=systemd 0 0
        cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0
        """
        let l = CgroupLayout.parse(mounts: mounts, v2Controllers: nil)
        #expect(l.mode == .v1)
        #expect(l.v1Controllers == ["cpu", "cpuacct", "memory"])
        #expect(l.missingForLibvirt == ["cpuset", "devices", "blkio"])
    }

    @Test func cgroupV2MapsIOAndCPU() {
        let l = CgroupLayout.parse(mounts: "cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0\n",
                                   v2Controllers: "cpuset cpu io memory pids\n")
        #expect(l.mode == .v2)
        #expect(l.v2MountPoint == "/sys/fs/cgroup")
        #expect(l.missingForLibvirt.isEmpty)
        let noIO = CgroupLayout.parse(mounts: "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n", v2Controllers: "cpuset cpu memory")
        #expect(noIO.missingForLibvirt == ["blkio"])
    }

    @Test func cgroupHybridAndNone() {
        let l = CgroupLayout.parse(mounts: "cgroup /a cgroup rw,cpu 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n", v2Controllers: "hugetlb")
        #expect(l.mode == .hybrid)
        #expect(l.v2Controllers == ["hugetlb"])
        #expect(CgroupLayout.parse(mounts: "proc /proc proc rw 0 0\n", v2Controllers: nil).mode == CgroupLayout.Mode.none)
    }

    @Test func mountUnescape() {
        let m = MountEntry.parseTable("/dev/sdb1 /mnt/my\\040disk ext4 rw 0 0\n")
        #expect(m.first?.mountPoint == "/mnt/my disk")
    }

    @Test func selinux() {
        #expect(SELinuxMode.parse(enforce: "1") == .enforcing)
        #expect(SELinuxMode.parse(enforce: "0\n") == .permissive)
        #expect(SELinuxMode.parse(enforce: nil) == .disabled)
        #expect(SELinuxMode.parse(enforce: "x") == nil)
        #expect(SELinuxMode.parseConfig("# c\nSELINUX=Permissive\nSELINUXTYPE=targeted\n") == .permissive)
    }

    @Test func appArmor() {
        let s = AppArmorState.parse(enabled: "Y\n", profiles: "/usr/sbin/libvirtd (enforce)\nlibvirt-1234 (enforce)\n/usr/bin/man (complain)\n")
        #expect(s.enabled)
        #expect(s.enforcing == ["/usr/sbin/libvirtd", "libvirt-1234"])
        #expect(s.complaining == ["/usr/bin/man"])
        #expect(!AppArmorState.parse(enabled: nil, profiles: nil).enabled)
    }

    @Test func memInfo() {
        let m = MemInfo.parse("MemTotal:       24684084 kB\nMemFree:        23522072 kB\nMemAvailable:   24215400 kB\n")
        #expect(m.totalBytes == 24684084 * 1024)
        #expect(m.availableBytes == 24215400 * 1024)
    }

    @Test func hostName() {
        #expect(HostName.parse("# comment\n\n  lab-01 \n") == "lab-01")
        #expect(HostName.isReal("lab-01"))
        #expect(!HostName.isReal("localhost"))
        #expect(!HostName.isReal("localhost.localdomain"))
        #expect(!HostName.isReal(""))
    }

    @Test func groups() {
        let g = GroupEntry.parse("root:x:0:\nkvm:x:992:alice,bob\nbad line\n")
        #expect(g.count == 2)
        #expect(g[1] == GroupEntry(name: "kvm", gid: 992, members: ["alice", "bob"]))
    }

    @Test func virshVersionAndCapabilities() {
        let v = VirshOutput.parseVersion("Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: QEMU 9.0.0\nRunning hypervisor: QEMU 7.2.22\n")
        #expect(v.library == "9.0.0")
        #expect(v.hypervisor == "QEMU 7.2.22")
        let caps = """
        <capabilities><guest><os_type>hvm</os_type><arch name='i686'><emulator>/usr/bin/qemu-system-i386</emulator>
        <domain type='qemu'/></arch></guest>
        <guest><os_type>hvm</os_type><arch name='x86_64'><wordsize>64</wordsize><emulator>/usr/bin/qemu-system-x86_64</emulator>
        <machine>pc</machine><domain type='qemu'/><domain type='kvm'/></arch></guest></capabilities>
        """
        let c = VirshOutput.parseCapabilities(caps, arch: "x86_64")
        #expect(c.domainTypes == ["qemu", "kvm"])
        #expect(c.emulator == "/usr/bin/qemu-system-x86_64")
        #expect(VirshOutput.parseCapabilities(caps, arch: "i686").domainTypes == ["qemu"])
        #expect(VirshOutput.parseCapabilities(caps, arch: "aarch64").domainTypes.isEmpty)
    }
}

@Suite struct BootSectorTests {
    @Test func layout() {
        let img = BootSector.image
        #expect(img.count == 512)
        #expect(img[510] == 0x55 && img[511] == 0xaa)
        // mov si, imm16 at offset 0x0e points at the real-mode message.
        #expect(img[0x0e] == 0xbe)
        let msg16 = Int(img[0x0f]) | Int(img[0x10]) << 8
        #expect(String(decoding: img[(msg16 - 0x7c00)...].prefix(while: { $0 != 0 }), as: UTF8.self) == BootSector.realModeMarker + " ")
        // mov esi, imm32 in the 32-bit part points at the protected-mode message.
        #expect(img[0x39] == 0xbe)
        let msg32 = Int(img[0x3a]) | Int(img[0x3b]) << 8
        #expect(String(decoding: img[(msg32 - 0x7c00)...].prefix(while: { $0 != 0 }), as: UTF8.self) == BootSector.protectedModeMarker + "\r\n")
        // GDTR's base points at the GDT, whose code descriptor is flat 32-bit.
        let gdtBase = Int(img[0x6a]) | Int(img[0x6b]) << 8
        #expect(Array(img[(gdtBase - 0x7c00 + 8)..<(gdtBase - 0x7c00 + 16)]) == [0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00])
        // lgdt operand and far-jump target.
        #expect(Int(img[0x1d]) | Int(img[0x1e]) << 8 == 0x7c68)
        #expect(Int(img[0x29]) | Int(img[0x2a]) << 8 == 0x7c2f)
    }
}
