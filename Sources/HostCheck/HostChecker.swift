import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// What to check and how.
public struct HostCheckOptions: Sendable {
    /// The host's root: "/" for this host, or an offline copy. Live-only
    /// checks SKIP with reason "offline root" for any other root.
    public var root: String
    /// libvirt connection URI for the libvirtd check.
    public var uri: String
    /// Run the KVM probes (kernel-level vCPU, emulator boot). When false the
    /// verdict rests on static evidence and says so.
    public var runProbes: Bool
    public var kernelProbeDeadline: Duration
    /// Deadline for each emulator boot (with -accel kvm, and the TCG reference).
    public var emulatorProbeDeadline: Duration
    /// Memory and disk the planned guests need; 0 means no plan (report only).
    public var plannedMemoryBytes: UInt64
    public var plannedDiskBytes: UInt64
    /// Where guest images will live.
    public var diskPath: String

    public init(root: String = "/", uri: String = "qemu:///system", runProbes: Bool = true,
                kernelProbeDeadline: Duration = .seconds(2), emulatorProbeDeadline: Duration = .seconds(2),
                plannedMemoryBytes: UInt64 = 0, plannedDiskBytes: UInt64 = 0,
                diskPath: String = "/var/lib/libvirt/images") {
        self.root = root
        self.uri = uri
        self.runProbes = runProbes
        self.kernelProbeDeadline = kernelProbeDeadline
        self.emulatorProbeDeadline = emulatorProbeDeadline
        self.plannedMemoryBytes = plannedMemoryBytes
        self.plannedDiskBytes = plannedDiskBytes
        self.diskPath = diskPath
    }
}

/// The answer for creation commands (`vmctl vm create`, `vmctl lab up`).
public struct DomainRecommendation: Sendable, Equatable {
    public var domainType: DomainType
    public var verdict: Verdict
    /// Lines to show the user: the fallback to qemu and the checks behind it.
    public var warnings: [String]
    /// The checks that were run for it.
    public var checks: [CheckResult]

    /// `requireKVM` (`--require-kvm`) turns the fallback to qemu into an error.
    public func domainType(requireKVM: Bool) throws -> DomainType {
        if requireKVM, domainType != .kvm { throw HostCheckError.kvmRequired(reason: verdict.reason) }
        return domainType
    }
}

public enum HostCheckError: Error, Equatable, CustomStringConvertible {
    case kvmRequired(reason: String)

    public var description: String {
        switch self {
        case .kvmRequired(let reason): return "--require-kvm: KVM cannot run guests on this host: \(reason)"
        }
    }
}

/// Runs the host checks. Stable check ids, in report order:
/// cpu.virtualization, kvm.modules, kvm.device, kvm.kernel-probe, kvm.emulator-probe,
/// kvm.nested, dev.tun, dev.vhost-net, kernel.iommu, kernel.cgroups, tools.qemu,
/// libvirt.daemon, tools.dnsmasq, tools.firewall, net.ip-forward, host.hostname,
/// host.clock, host.selinux, host.apparmor, host.memory, host.disk.
public struct HostChecker: Sendable {
    public static let checkIDs = [
        "cpu.virtualization", "kvm.modules", "kvm.device", "kvm.kernel-probe", "kvm.emulator-probe",
        "kvm.nested", "dev.tun", "dev.vhost-net", "kernel.iommu", "kernel.cgroups", "tools.qemu",
        "libvirt.daemon", "tools.dnsmasq", "tools.firewall", "net.ip-forward", "host.hostname",
        "host.clock", "host.selinux", "host.apparmor", "host.memory", "host.disk",
    ]

    public var options: HostCheckOptions
    public var hypervisor: (any HypervisorProbe)?
    /// Live facts; nil for an offline root unless injected.
    public var live: (any LiveHost)?

    /// `live` defaults to the real host when `options.root` is "/", and to none otherwise.
    public init(options: HostCheckOptions = HostCheckOptions(), hypervisor: (any HypervisorProbe)? = nil,
                live: (any LiveHost)? = nil) {
        self.options = options
        self.hypervisor = hypervisor
        self.live = live ?? (HostRoot(options.root).isLiveHost ? SystemLiveHost() : nil)
    }

    /// All checks, the verdict, and the report.
    public func run() -> HostReport {
        let clock = ContinuousClock()
        let start = clock.now
        let ctx = Context(options: options, live: live)
        let cpu = ctx.checkCPU()
        let modules = ctx.checkModules()
        let device = ctx.checkKVMDevice()
        let kernel = ctx.checkKernelProbe()
        let emulator = ctx.checkEmulatorProbe(kernel: kernel)
        let verdictCore = ctx.verdict(cpu: cpu, modules: modules, device: device, kernel: kernel, emulator: emulator)
        let nested = ctx.checkNested(kvmUsable: verdictCore.kvmUsable)
        let verdict = Verdict(recommendedDomainType: verdictCore.kvmUsable ? .kvm : .qemu, kvmUsable: verdictCore.kvmUsable,
                              basis: verdictCore.basis, novaComputeVirtType: DomainType(rawValue: nested.details["novaComputeVirtType"] ?? "qemu") ?? .qemu,
                              reason: verdictCore.reason)
        let checks = [
            cpu, modules, device, kernel, emulator, nested,
            ctx.checkTun(), ctx.checkVhostNet(), ctx.checkIOMMU(), ctx.checkCgroups(),
            ctx.checkQEMU(), ctx.checkLibvirt(hypervisor: hypervisor, kvmUsable: verdict.kvmUsable),
            ctx.checkDnsmasq(), ctx.checkFirewall(), ctx.checkIPForward(),
            ctx.checkHostname(), ctx.checkClock(), ctx.checkSELinux(), ctx.checkAppArmor(),
            ctx.checkMemory(), ctx.checkDisk(),
        ]
        return HostReport(root: ctx.root.path, uri: options.uri, architecture: ctx.cpu?.qemuArch ?? "unknown",
                          checks: checks, verdict: verdict, durationMs: Int((clock.now - start).milliseconds))
    }

    /// The fast path for creation commands: the checks that decide between
    /// kvm and qemu (CPU, modules, /dev/kvm, both probes), plus the QEMU
    /// binary and, when planned, memory and disk. About the emulator probe's
    /// deadline on a host where KVM fails, milliseconds where it works.
    public func recommendDomainType() -> DomainRecommendation {
        let ctx = Context(options: options, live: live)
        let cpu = ctx.checkCPU()
        let modules = ctx.checkModules()
        let device = ctx.checkKVMDevice()
        let kernel = ctx.checkKernelProbe()
        let emulator = ctx.checkEmulatorProbe(kernel: kernel)
        let core = ctx.verdict(cpu: cpu, modules: modules, device: device, kernel: kernel, emulator: emulator)
        let nested = ctx.checkNested(kvmUsable: core.kvmUsable)
        let type: DomainType = core.kvmUsable ? .kvm : .qemu
        let verdict = Verdict(recommendedDomainType: type, kvmUsable: core.kvmUsable, basis: core.basis,
                              novaComputeVirtType: DomainType(rawValue: nested.details["novaComputeVirtType"] ?? "qemu") ?? .qemu,
                              reason: core.reason)
        var checks = [cpu, modules, device, kernel, emulator]
        var warnings: [String] = []
        if type == .qemu {
            warnings.append("KVM cannot run guests on this host (\(core.reason)): using domain type qemu (software emulation, much slower); --require-kvm makes this an error")
            for c in checks where c.status == .fail {
                warnings.append("\(c.id): \(c.summary)")
            }
        } else if core.basis == .staticEvidence {
            warnings.append("KVM assumed usable from static evidence only: \(core.reason)")
        }
        // Whatever the type, guests need the emulator, and the planned memory and disk.
        var more = [ctx.checkQEMU()]
        if options.plannedMemoryBytes > 0 { more.append(ctx.checkMemory()) }
        if options.plannedDiskBytes > 0 { more.append(ctx.checkDisk()) }
        for c in more where c.status == .fail || c.status == .warn {
            warnings.append("\(c.id): \(c.summary)" + (c.remedy.map { " (fix: \($0))" } ?? ""))
        }
        checks += more
        return DomainRecommendation(domainType: type, verdict: verdict, warnings: warnings, checks: checks)
    }
}
