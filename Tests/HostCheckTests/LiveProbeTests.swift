import Foundation
import Testing
@testable import HostCheck

/// Probes on this machine's real /dev/kvm and QEMU. Gated only on /dev/kvm,
/// which the project's machines and CI have.
@Suite(.enabled(if: FileManager.default.fileExists(atPath: "/dev/kvm"), "needs /dev/kvm"), .serialized)
struct LiveProbeTests {
    static let cpu = HostRoot("/").cpuInfo()
    /// On vmctl's build machine the CPU shows neither vmx nor svm and QEMU+KVM cannot boot in time.
    static var hardwareVirt: Bool { cpu?.virtualizationExtension != nil }
    static let qemu = HostRoot("/").findExecutable("qemu-system-x86_64", environmentPath: ProcessInfo.processInfo.environment["PATH"])

    @Test func kernelProbeRunsTheGuestToHLT() {
        let r = KernelKVMProbeResult.run(deadline: .seconds(2))
        #expect(r.passed, "\(r.explanation)")
        #expect(r.stage == .done)
        #expect(r.apiVersion == 12)
        #expect(r.ioPort == 0x3f8)
        #expect(r.ioByte == Int32(UInt8(ascii: "K")))
        #expect(r.exitReason == 5)
        #expect(r.elapsedMs < 2000)
    }

    @Test func kernelProbeDeadlineKillsAHungGuest() {
        let clock = ContinuousClock()
        let start = clock.now
        let r = KernelKVMProbeResult.run(deadline: .milliseconds(300), guest: .spin)
        let elapsed = clock.now - start
        #expect(!r.passed)
        #expect(r.timedOut)
        #expect(r.stage == .runIO)
        #expect(r.childSignal == SIGKILL)
        #expect(r.explanation.contains("hung in KVM_RUN"))
        #expect(elapsed < .seconds(2))
    }

    @Test func kernelProbeReportsAMissingDevice() {
        let r = KernelKVMProbeResult.run(devicePath: "/nonexistent/kvm", deadline: .seconds(1))
        #expect(!r.passed)
        #expect(r.stage == .open)
        #expect(r.errno == ENOENT)
        #expect(r.explanation.hasPrefix("open(/dev/kvm) failed"))
    }

    @Test(.enabled(if: qemu != nil, "needs qemu-system-x86_64"))
    func bootSectorPrintsUnderTCG() throws {
        // Proves the probe itself: the same boot sector does boot under software emulation.
        let r = EmulatorProbe.run(emulator: try #require(Self.qemu), accelerator: "tcg", deadline: .seconds(5))
        #expect(r.passed, "\(r.explanation) \(r.diagnostics)")
        #expect(r.reachedBootSector)
        #expect(r.elapsedMs < 5000)
    }

    @Test(.enabled(if: qemu != nil, "needs qemu-system-x86_64"))
    func bootSectorUnderKVM() throws {
        let deadline = Duration.seconds(2)
        let clock = ContinuousClock()
        let start = clock.now
        let r = EmulatorProbe.run(emulator: try #require(Self.qemu), accelerator: "kvm", deadline: deadline)
        let wall = clock.now - start
        // Whatever the outcome, the probe returns within its deadline (plus killing and reaping QEMU).
        #expect(wall < deadline + .seconds(1))
        if Self.hardwareVirt {
            #expect(r.passed, "\(r.explanation)")
        } else {
            #expect(!r.passed, "\(r.explanation)")
            #expect(r.timedOut)
            #expect(r.elapsedMs >= 2000)
        }
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []
        #expect(!leftovers.contains { $0.hasPrefix("vmctl-emuprobe-\(getpid())-") })
    }

    @Test(.enabled(if: qemu != nil, "needs qemu-system-x86_64"))
    func fullCheckOnThisMachine() {
        let clock = ContinuousClock()
        let start = clock.now
        let report = HostChecker(options: HostCheckOptions(), hypervisor: VirshHypervisorProbe()).run()
        let wall = clock.now - start
        #expect(wall < .seconds(10), "took \(wall)")
        #expect(report.statuses["kvm.device"] == .pass)
        #expect(report.statuses["kvm.kernel-probe"] == .pass)
        #expect(report.statuses["tools.qemu"] == .pass)
        #expect(report.statuses["host.disk"] == .pass)
        if Self.hardwareVirt {
            #expect(report.statuses["cpu.virtualization"] == .pass)
        } else {
            #expect(report.statuses["cpu.virtualization"] == .fail)
            #expect(report.statuses["kvm.emulator-probe"] == .fail)
            #expect(report.verdict.recommendedDomainType == .qemu)
            #expect(report.verdict.basis == .probes)
            #expect(report.exitCode == 1)
            let rec = HostChecker().recommendDomainType()
            #expect(rec.domainType == .qemu)
            #expect(!rec.warnings.isEmpty)
        }
    }
}
