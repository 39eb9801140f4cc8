import Foundation
import Testing
@testable import HostCheck

/// Offline checks of the fixture hosts: no live facts, so device nodes,
/// probes, libvirtd, the kernel clock and free disk SKIP.
@Suite struct FixtureHostTests {
    static let liveOnly: [String] = [
        "kvm.device", "kvm.kernel-probe", "kvm.emulator-probe", "dev.tun", "dev.vhost-net",
        "libvirt.daemon", "host.clock", "host.disk",
    ]

    func check(_ host: String, options: (inout HostCheckOptions) -> Void = { _ in }) -> HostReport {
        var o = HostCheckOptions(root: Paths.fixtureHost(host))
        options(&o)
        return HostChecker(options: o, hypervisor: FakeHypervisor(status: HypervisorStatus(reachable: true))).run()
    }

    func expectStatuses(_ report: HostReport, _ expected: [String: CheckStatus], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(report.checks.map(\.id) == HostChecker.checkIDs, sourceLocation: sourceLocation)
        var all = expected
        for id in Self.liveOnly where all[id] == nil { all[id] = .skip }
        for id in HostChecker.checkIDs {
            #expect(report.statuses[id] == all[id], "\(id): \(report.check(id)?.summary ?? "missing")", sourceLocation: sourceLocation)
        }
    }

    @Test func intelWithVMXAndKVMIntelLoadedNestedOn() {
        let r = check("intel-vmx")
        expectStatuses(r, [
            "cpu.virtualization": .pass, "kvm.modules": .pass, "kvm.nested": .pass, "kernel.iommu": .pass,
            "kernel.cgroups": .pass, "tools.qemu": .pass, "tools.dnsmasq": .pass, "tools.firewall": .pass,
            "net.ip-forward": .pass, "host.hostname": .pass, "host.selinux": .pass, "host.apparmor": .pass,
            "host.memory": .pass,
        ])
        #expect(r.check("cpu.virtualization")?.summary.contains("Intel VT-x (vmx)") == true)
        #expect(r.check("cpu.virtualization")?.details["model"] == "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz")
        #expect(r.check("kvm.modules")?.details["kvm_intel"] == "loaded")
        #expect(r.check("kvm.nested")?.details["nested"] == "Y")
        #expect(r.check("kernel.cgroups")?.details["mode"] == "v2")
        #expect(r.check("host.apparmor")?.details["libvirtProfilesEnforcing"] == "3")
        #expect(r.check("host.clock")?.details["ntpDaemon"] == "chronyd")
        // The lab files vmctl wrote count; one of that name without its header does not.
        #expect(r.check("host.clock")?.details["servesTimeToLabs"] == "true")
        #expect(r.check("host.clock")?.summary.hasSuffix("serves time to labs on 10.77.0.0/24, 10.78.0.0/24") == true,
                "\(r.check("host.clock")?.summary ?? "")")
        #expect(r.check("kvm.device")?.summary.hasPrefix("offline root") == true)
        #expect(r.verdict == Verdict(recommendedDomainType: .kvm, kvmUsable: true, basis: .staticEvidence,
                                     novaComputeVirtType: .kvm, reason: r.verdict.reason))
        #expect(r.verdict.reason.contains("offline root"))
        #expect(r.architecture == "x86_64")
        #expect(r.exitCode == 0)
    }

    @Test func amdWithSVMAndKVMAMDNestedOffCgroupV1() {
        let r = check("amd-svm")
        expectStatuses(r, [
            "cpu.virtualization": .pass, "kvm.modules": .pass, "kvm.nested": .warn, "kernel.iommu": .warn,
            "kernel.cgroups": .pass, "tools.qemu": .pass, "tools.dnsmasq": .warn, "tools.firewall": .pass,
            "net.ip-forward": .warn, "host.hostname": .warn, "host.selinux": .pass, "host.apparmor": .pass,
            "host.memory": .pass,
        ])
        #expect(r.check("cpu.virtualization")?.summary.contains("AMD-V (svm)") == true)
        #expect(r.check("kvm.modules")?.details["kvm_amd"] == "loaded")
        let nested = r.check("kvm.nested")
        #expect(nested?.details["nested"] == "0")
        #expect(nested?.remedy?.contains("options kvm_amd nested=1") == true)
        #expect(r.check("kernel.cgroups")?.details["mode"] == "v1")
        #expect(r.check("kernel.iommu")?.remedy?.contains("amd_iommu=on") == true)
        #expect(r.check("tools.firewall")?.details["iptables"] == "/usr/sbin/iptables")
        #expect(r.check("tools.firewall")?.details["nft"] == nil)
        #expect(r.check("host.clock")?.details["ntpDaemon"] == "ntpd")
        #expect(r.verdict.recommendedDomainType == .kvm)
        #expect(r.verdict.novaComputeVirtType == .qemu)
        #expect(r.exitCode == 0)
    }

    @Test func flagsPresentModulesMissing() {
        let r = check("intel-no-modules")
        expectStatuses(r, [
            "cpu.virtualization": .pass, "kvm.modules": .fail, "kvm.nested": .warn, "kernel.iommu": .warn,
            "kernel.cgroups": .pass, "tools.qemu": .pass, "tools.dnsmasq": .pass, "tools.firewall": .pass,
            "net.ip-forward": .pass, "host.hostname": .pass, "host.selinux": .pass, "host.apparmor": .pass,
            "host.memory": .pass,
        ])
        let modules = r.check("kvm.modules")
        #expect(modules?.remedy?.hasPrefix("modprobe kvm_intel") == true)
        #expect(modules?.details["kvm"] == "absent")
        #expect(r.check("host.clock")?.details["ntpDaemon"] == "systemd-timesyncd")
        #expect(r.verdict.recommendedDomainType == .qemu)
        #expect(!r.verdict.kvmUsable)
        #expect(r.verdict.reason.contains("KVM modules missing"))
        #expect(r.exitCode == 1)
    }

    @Test func flagsAbsentAsOnTheBuildMachine() {
        let r = check("amd-no-svm")
        expectStatuses(r, [
            "cpu.virtualization": .fail, "kvm.modules": .warn, "kvm.nested": .warn, "kernel.iommu": .warn,
            "kernel.cgroups": .pass, "tools.qemu": .pass, "tools.dnsmasq": .pass, "tools.firewall": .pass,
            "net.ip-forward": .warn, "host.hostname": .pass, "host.selinux": .pass, "host.apparmor": .pass,
            "host.memory": .pass,
        ])
        let cpu = r.check("cpu.virtualization")
        #expect(cpu?.summary.contains("no vmx or svm flag on AMD EPYC (AuthenticAMD)") == true)
        #expect(cpu?.summary.contains("itself a guest") == true)
        #expect(cpu?.remedy?.contains("SVM") == true)
        let modules = r.check("kvm.modules")
        #expect(modules?.details["kvm"] == "built-in")
        #expect(modules?.details["kvm_pvm"] == "built-in")
        #expect(modules?.details["kvm_amd"] == "absent")
        #expect(modules?.details["procModules"] == "absent")
        #expect(r.check("kernel.cgroups")?.details["mode"] == "hybrid")
        #expect(r.check("host.hostname")?.details["hostname"] == "vm")
        #expect(r.verdict.recommendedDomainType == .qemu)
        #expect(r.verdict.novaComputeVirtType == .qemu)
        #expect(r.verdict.reason.contains("no vmx/svm CPU flag"))
        #expect(r.exitCode == 1)
    }

    @Test func kvmBuiltIntoTheKernel() {
        let r = check("intel-kvm-builtin")
        expectStatuses(r, [
            "cpu.virtualization": .pass, "kvm.modules": .pass, "kvm.nested": .pass, "kernel.iommu": .warn,
            "kernel.cgroups": .pass, "tools.qemu": .pass, "tools.dnsmasq": .pass, "tools.firewall": .pass,
            "net.ip-forward": .pass, "host.hostname": .pass, "host.selinux": .pass, "host.apparmor": .pass,
            "host.memory": .pass,
        ])
        let modules = r.check("kvm.modules")
        #expect(modules?.details["kvm"] == "built-in")
        #expect(modules?.details["kvm_intel"] == "built-in")
        #expect(modules?.summary == "kvm (built in) and kvm_intel (built in) present")
        #expect(r.verdict.recommendedDomainType == .kvm)
        #expect(r.verdict.novaComputeVirtType == .kvm)
    }

    @Test func armHost() {
        let r = check("arm64")
        expectStatuses(r, [
            "cpu.virtualization": .skip, "kvm.modules": .pass, "kvm.nested": .warn, "kernel.iommu": .warn,
            "kernel.cgroups": .pass, "tools.qemu": .pass, "tools.dnsmasq": .pass, "tools.firewall": .pass,
            "net.ip-forward": .pass, "host.hostname": .pass, "host.selinux": .pass, "host.apparmor": .pass,
            "host.memory": .pass,
        ])
        #expect(r.architecture == "aarch64")
        #expect(r.check("cpu.virtualization")?.summary.contains("ARM CPU part 0xd0c (ARM)") == true)
        #expect(r.check("cpu.virtualization")?.details["architecture"] == "arm")
        #expect(r.check("tools.qemu")?.details["path"] == "/usr/bin/qemu-system-aarch64")
        #expect(r.verdict.recommendedDomainType == .kvm)
        #expect(r.verdict.basis == .staticEvidence)
    }

    @Test func selinuxEnforcingNestedOffCgroupV2WithoutIO() {
        let r = check("selinux-enforcing") { $0.plannedMemoryBytes = 4 << 30 }
        expectStatuses(r, [
            "cpu.virtualization": .pass, "kvm.modules": .pass, "kvm.nested": .warn, "kernel.iommu": .warn,
            "kernel.cgroups": .warn, "tools.qemu": .pass, "tools.dnsmasq": .pass, "tools.firewall": .pass,
            "net.ip-forward": .pass, "host.hostname": .pass, "host.selinux": .warn, "host.apparmor": .pass,
            "host.memory": .fail,
        ])
        let se = r.check("host.selinux")
        #expect(se?.details["mode"] == "enforcing")
        #expect(se?.details["configured"] == "enforcing")
        #expect(se?.remedy?.contains("setenforce 0") == true)
        #expect(r.check("kernel.cgroups")?.details["missing"] == "blkio")
        #expect(r.check("kvm.nested")?.details["nested"] == "N")
        #expect(r.check("host.memory")?.summary.contains("planned guests need 4.0 GiB") == true)
        #expect(r.exitCode == 1)
    }

    @Test func memoryWithinPlanPasses() {
        let r = check("intel-vmx") { $0.plannedMemoryBytes = 8 << 30 }
        #expect(r.statuses["host.memory"] == .pass)
        let tight = check("intel-vmx") { $0.plannedMemoryBytes = UInt64(60123456 * 1024) * 95 / 100 }
        #expect(tight.statuses["host.memory"] == .warn)
    }

    @Test func missingRootSkipsInsteadOfCrashing() {
        let r = check("does-not-exist")
        #expect(r.statuses["cpu.virtualization"] == .skip)
        #expect(r.statuses["net.ip-forward"] == .skip)
        #expect(r.statuses["kvm.modules"] == .fail)
        #expect(r.architecture == "unknown")
    }

    @Test func readerResolvesRelativeToRoot() {
        let root = HostRoot(Paths.fixtureHost("intel-vmx") + "/")
        #expect(!root.isLiveHost)
        #expect(root.resolve("proc/cpuinfo") == Paths.fixtureHost("intel-vmx") + "/proc/cpuinfo")
        #expect(HostRoot("/").resolve("/proc/cpuinfo") == "/proc/cpuinfo")
        #expect(HostRoot("/").isLiveHost)
        #expect(root.processNames() == ["systemd", "chronyd", "libvirtd", "dnsmasq"])
        #expect(root.moduleState("kvm_intel", procModules: root.procModules()) == .loaded)
        #expect(root.findExecutable("qemu-system-x86_64") == "/usr/bin/qemu-system-x86_64")
        #expect(root.findExecutable("virsh") == nil)
    }
}
