import Foundation
import Testing
@testable import HostCheck

/// Fixture roots with injected live facts: the verdict logic for each probe outcome.
@Suite struct VerdictTests {
    static let kvmAndQEMU = HypervisorStatus(reachable: true, libvirtVersion: "9.0.0", hypervisorVersion: "QEMU 7.2.22",
                                             domainTypes: ["qemu", "kvm"], emulatorPath: "/usr/bin/qemu-system-x86_64")

    func run(_ host: String, live: FakeLiveHost, hypervisor: HypervisorStatus = kvmAndQEMU,
             options: (inout HostCheckOptions) -> Void = { _ in }) -> HostReport {
        var o = HostCheckOptions(root: Paths.fixtureHost(host))
        options(&o)
        return HostChecker(options: o, hypervisor: FakeHypervisor(status: hypervisor), live: live).run()
    }

    static let emulatorHangs = EmulatorProbeResult(accelerator: "kvm", passed: false, reachedBootSector: false,
                                                   elapsedMs: 2000, timedOut: true)

    @Test func everythingPassesGivesKVM() {
        let r = run("intel-vmx", live: FakeLiveHost())
        #expect(r.statuses["kvm.device"] == .pass)
        #expect(r.statuses["kvm.kernel-probe"] == .pass)
        #expect(r.statuses["kvm.emulator-probe"] == .pass)
        #expect(r.statuses["libvirt.daemon"] == .pass)
        #expect(r.statuses["host.clock"] == .pass)
        #expect(r.statuses["host.disk"] == .pass)
        #expect(r.check("kvm.device")?.details["group"] == "kvm")
        #expect(r.verdict == Verdict(recommendedDomainType: .kvm, kvmUsable: true, basis: .probes,
                                     novaComputeVirtType: .kvm, reason: "KVM runs guests: both probes passed."))
        #expect(r.counts.fail == 0)
        #expect(r.exitCode == 0)
    }

    @Test func kernelPassesEmulatorFailsAsOnTheBuildMachine() {
        var live = FakeLiveHost()
        live.kvmBoot = Self.emulatorHangs
        let r = run("amd-no-svm", live: live)
        #expect(r.statuses["cpu.virtualization"] == .fail)
        #expect(r.statuses["kvm.device"] == .pass)
        #expect(r.statuses["kvm.kernel-probe"] == .pass)
        let emu = r.check("kvm.emulator-probe")
        #expect(emu?.status == .fail)
        #expect(emu?.summary.contains("firmware did not reach the boot sector within 2.00 s under -accel kvm") == true)
        #expect(emu?.summary.contains("under TCG the marker appeared in 0.11 s") == true)
        #expect(emu?.details["tcgPassed"] == "true")
        #expect(r.verdict.recommendedDomainType == .qemu)
        #expect(r.verdict.basis == .probes)
        #expect(r.verdict.reason.contains("emulator probe failed (kernel-level probe passed)"))
        // libvirt offers kvm because /dev/kvm exists: the check says it must not be used.
        #expect(r.statuses["libvirt.daemon"] == .warn)
        #expect(r.exitCode == 1)
    }

    @Test func staticEvidenceIsNotEnoughWhenTheEmulatorProbeFails() {
        var live = FakeLiveHost()
        live.kvmBoot = Self.emulatorHangs
        let r = run("intel-vmx", live: live)
        #expect(r.statuses["cpu.virtualization"] == .pass)
        #expect(r.verdict.recommendedDomainType == .qemu)
        // nested=Y, but nested guests cannot use KVM when KVM does not work here.
        #expect(r.statuses["kvm.nested"] == .warn)
        #expect(r.verdict.novaComputeVirtType == .qemu)
    }

    @Test func kvmSlowerThanTCGIsNotUsable() {
        // What this machine shows with a long deadline: SeaBIOS needs ~4 s under KVM, 0.1 s under TCG.
        var live = FakeLiveHost()
        live.kvmBoot = EmulatorProbeResult(accelerator: "kvm", passed: true, reachedBootSector: true, elapsedMs: 4100, timedOut: false)
        live.tcgBoot = EmulatorProbeResult(accelerator: "tcg", passed: true, reachedBootSector: true, elapsedMs: 100, timedOut: false)
        let r = run("amd-no-svm", live: live) { $0.emulatorProbeDeadline = .seconds(10) }
        let emu = r.check("kvm.emulator-probe")
        #expect(emu?.status == .fail)
        #expect(emu?.summary.contains("41× slower than TCG (0.10 s)") == true)
        #expect(emu?.details["kvmSlowdown"] == "41")
        #expect(r.verdict.recommendedDomainType == .qemu)
    }

    @Test func kvmSlowerThanOneSecondButFasterThanTCGPasses() {
        // A loaded host with real KVM: slow, but not slower than emulation.
        var live = FakeLiveHost()
        live.kvmBoot = EmulatorProbeResult(accelerator: "kvm", passed: true, reachedBootSector: true, elapsedMs: 1500, timedOut: false)
        live.tcgBoot = EmulatorProbeResult(accelerator: "tcg", passed: true, reachedBootSector: true, elapsedMs: 900, timedOut: false)
        let r = run("intel-vmx", live: live)
        #expect(r.statuses["kvm.emulator-probe"] == .pass)
        #expect(r.check("kvm.emulator-probe")?.summary.hasSuffix("(TCG: 0.90 s)") == true)
        #expect(r.verdict.recommendedDomainType == .kvm)
    }

    @Test func kernelProbeFailureSkipsTheEmulator() {
        var live = FakeLiveHost()
        live.kernel = KernelKVMProbeResult(passed: false, stage: .createVM, errno: ENOMEM, apiVersion: 12)
        let r = run("intel-vmx", live: live)
        let k = r.check("kvm.kernel-probe")
        #expect(k?.status == .fail)
        #expect(k?.summary.hasPrefix("KVM_CREATE_VM failed") == true)
        #expect(k?.details["errno"] == String(ENOMEM))
        #expect(r.statuses["kvm.emulator-probe"] == .skip)
        #expect(r.verdict.recommendedDomainType == .qemu)
        #expect(r.verdict.basis == .probes)
    }

    @Test func hungKernelProbeIsReported() {
        var live = FakeLiveHost()
        live.kernel = KernelKVMProbeResult(passed: false, stage: .runIO, apiVersion: 12, timedOut: true, childSignal: 9, elapsedMs: 2001)
        let r = run("intel-vmx", live: live)
        #expect(r.check("kvm.kernel-probe")?.summary.contains("hung in KVM_RUN") == true)
        #expect(r.verdict.recommendedDomainType == .qemu)
    }

    @Test func probesDisabledFallsBackToStaticEvidenceAndSaysSo() {
        let r = run("intel-vmx", live: FakeLiveHost()) { $0.runProbes = false }
        #expect(r.statuses["kvm.kernel-probe"] == .skip)
        #expect(r.statuses["kvm.emulator-probe"] == .skip)
        #expect(r.verdict.recommendedDomainType == .kvm)
        #expect(r.verdict.basis == .staticEvidence)
        #expect(r.verdict.reason.contains("probes disabled"))
        #expect(r.verdict.reason.contains("/dev/kvm"))
    }

    @Test func deviceDeniedNamesTheGroup() {
        var live = FakeLiveHost()
        live.devices["/dev/kvm"] = DeviceNode(isCharacterDevice: true, major: 10, minor: 232, mode: 0o660, gid: 992,
                                              readable: false, writable: false)
        let r = run("intel-vmx", live: live)
        let d = r.check("kvm.device")
        #expect(d?.status == .fail)
        #expect(d?.summary.contains("denies read/write to lab") == true)
        #expect(d?.remedy == "usermod -aG kvm lab, then log in again")
        #expect(r.verdict.recommendedDomainType == .qemu)
    }

    @Test func missingDevices() {
        var live = FakeLiveHost()
        live.devices = [:]
        let r = run("amd-svm", live: live)
        #expect(r.check("kvm.device")?.remedy == "modprobe kvm_amd")
        #expect(r.statuses["dev.tun"] == .fail)
        #expect(r.check("dev.vhost-net")?.status == .warn)
        #expect(r.check("dev.vhost-net")?.remedy == "modprobe vhost_net")
    }

    @Test func deviceThatIsNotACharacterDevice() {
        let r = Context.evaluateDevice(id: "kvm.device", title: "t", path: "/dev/kvm",
                                       node: DeviceNode(isCharacterDevice: false, readable: true, writable: true),
                                       groupName: nil, user: "root", missingStatus: .fail, missingRemedy: "modprobe kvm_intel")
        #expect(r.status == .fail)
        #expect(r.summary == "/dev/kvm exists but is not a character device")
    }

    @Test func libvirtUnreachableFailsAndAbsentProbeSkips() {
        let r = run("intel-vmx", live: FakeLiveHost(),
                    hypervisor: HypervisorStatus(reachable: false, error: "Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory"))
        #expect(r.statuses["libvirt.daemon"] == .fail)
        #expect(r.check("libvirt.daemon")?.remedy?.contains("libvirtd") == true)
        let none = HostChecker(options: HostCheckOptions(root: Paths.fixtureHost("intel-vmx")), hypervisor: nil, live: FakeLiveHost()).run()
        #expect(none.check("libvirt.daemon")?.summary == "no hypervisor probe supplied")
    }

    @Test func libvirtOffersOnlyQEMU() {
        var live = FakeLiveHost()
        live.kvmBoot = Self.emulatorHangs
        let r = run("amd-no-svm", live: live, hypervisor: HypervisorStatus(reachable: true, libvirtVersion: "9.0.0", domainTypes: ["qemu"]))
        #expect(r.statuses["libvirt.daemon"] == .pass)
        let w = run("intel-vmx", live: FakeLiveHost(), hypervisor: HypervisorStatus(reachable: true, libvirtVersion: "9.0.0", domainTypes: ["qemu"]))
        #expect(w.statuses["libvirt.daemon"] == .warn)
    }

    @Test func clockAndDisk() {
        var live = FakeLiveHost()
        live.clock = KernelClockStatus(synchronized: false, state: 5, maxErrorMicroseconds: 16_000_000)
        live.disk = 10 << 30
        let r = run("amd-no-svm", live: live) { $0.plannedDiskBytes = 40 << 30 }
        let clock = r.check("host.clock")
        #expect(clock?.status == .warn)
        #expect(clock?.remedy?.contains("chrony") == true)
        #expect(clock?.details["ntpDaemon"] == "none")
        #expect(r.statuses["host.disk"] == .fail)
        let synced = run("intel-vmx", live: FakeLiveHost()) { $0.plannedDiskBytes = 40 << 30 }
        #expect(synced.statuses["host.clock"] == .pass)
        #expect(synced.statuses["host.disk"] == .pass)
    }

    @Test func recommendationForCreation() throws {
        var live = FakeLiveHost()
        live.kvmBoot = Self.emulatorHangs
        let checker = HostChecker(options: HostCheckOptions(root: Paths.fixtureHost("amd-no-svm")), live: live)
        let rec = checker.recommendDomainType()
        #expect(rec.domainType == .qemu)
        #expect(rec.checks.map(\.id) == ["cpu.virtualization", "kvm.modules", "kvm.device", "kvm.kernel-probe", "kvm.emulator-probe", "tools.qemu"])
        #expect(rec.warnings.first?.contains("using domain type qemu") == true)
        #expect(rec.warnings.contains { $0.hasPrefix("kvm.emulator-probe:") })
        #expect(try rec.domainType(requireKVM: false) == .qemu)
        #expect(throws: HostCheckError.self) { try rec.domainType(requireKVM: true) }

        let good = HostChecker(options: HostCheckOptions(root: Paths.fixtureHost("intel-vmx")), live: FakeLiveHost()).recommendDomainType()
        #expect(good.domainType == .kvm)
        #expect(good.warnings.isEmpty)
        #expect(try good.domainType(requireKVM: true) == .kvm)
    }

    @Test func recommendationWarnsAboutPlannedResources() {
        var live = FakeLiveHost()
        live.disk = 5 << 30
        var options = HostCheckOptions(root: Paths.fixtureHost("selinux-enforcing"))
        options.plannedMemoryBytes = 4 << 30
        options.plannedDiskBytes = 20 << 30
        let rec = HostChecker(options: options, live: live).recommendDomainType()
        #expect(rec.domainType == .kvm)
        #expect(rec.checks.map(\.id).suffix(3) == ["tools.qemu", "host.memory", "host.disk"])
        #expect(rec.warnings.count == 2)
        #expect(rec.warnings.contains { $0.hasPrefix("host.memory:") && $0.contains("(fix: ") })
        #expect(rec.warnings.contains { $0.hasPrefix("host.disk: 5.0 GiB free") })
    }
}
