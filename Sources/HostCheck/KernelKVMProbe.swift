import CHostProbe
import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// Result of the kernel-level KVM probe: a bare vCPU running four real-mode
/// instructions (`mov dx,0x3f8; mov al,'K'; out dx,al; hlt`).
public struct KernelKVMProbeResult: Sendable, Equatable {
    /// Stages, in the order the probe walks them.
    public enum Stage: Int32, Sendable, Codable {
        case setup = 0, open, apiVersion, createVM, memory, createVCPU, mmapRun, registers, runIO, runHLT, done

        public var operation: String {
            switch self {
            case .setup: return "fork/pipe"
            case .open: return "open(/dev/kvm)"
            case .apiVersion: return "KVM_GET_API_VERSION"
            case .createVM: return "KVM_CREATE_VM"
            case .memory: return "KVM_SET_USER_MEMORY_REGION"
            case .createVCPU: return "KVM_CREATE_VCPU"
            case .mmapRun: return "mmap(kvm_run)"
            case .registers: return "KVM_SET_SREGS/KVM_SET_REGS"
            case .runIO: return "KVM_RUN (expecting KVM_EXIT_IO)"
            case .runHLT: return "KVM_RUN (expecting KVM_EXIT_HLT)"
            case .done: return "done"
            }
        }
    }

    public enum Guest: Sendable {
        case portWriteThenHalt
        case spin
    }

    public var passed: Bool
    public var stage: Stage
    public var errno: Int32
    public var apiVersion: Int32?
    public var exitReason: Int32?
    public var ioPort: Int32?
    public var ioByte: Int32?
    public var timedOut: Bool
    public var childSignal: Int32
    public var elapsedMs: Int

    public init(passed: Bool, stage: Stage, errno: Int32 = 0, apiVersion: Int32? = nil, exitReason: Int32? = nil,
                ioPort: Int32? = nil, ioByte: Int32? = nil, timedOut: Bool = false, childSignal: Int32 = 0, elapsedMs: Int = 0) {
        self.passed = passed
        self.stage = stage
        self.errno = errno
        self.apiVersion = apiVersion
        self.exitReason = exitReason
        self.ioPort = ioPort
        self.ioByte = ioByte
        self.timedOut = timedOut
        self.childSignal = childSignal
        self.elapsedMs = elapsedMs
    }

    static let exitReasonNames: [Int32: String] = [
        0: "KVM_EXIT_UNKNOWN", 1: "KVM_EXIT_EXCEPTION", 2: "KVM_EXIT_IO", 3: "KVM_EXIT_HYPERCALL", 4: "KVM_EXIT_DEBUG",
        5: "KVM_EXIT_HLT", 6: "KVM_EXIT_MMIO", 8: "KVM_EXIT_SHUTDOWN", 9: "KVM_EXIT_FAIL_ENTRY",
        17: "KVM_EXIT_INTERNAL_ERROR",
    ]

    public static func exitReasonName(_ r: Int32) -> String { exitReasonNames[r] ?? "exit reason \(r)" }

    /// One line saying what happened.
    public var explanation: String {
        if passed {
            return "guest wrote 'K' to port 0x3f8 (KVM_EXIT_IO) then halted (KVM_EXIT_HLT) in \(elapsedMs) ms"
        }
        if timedOut { return "no answer within the deadline: hung in \(stage.operation); probe killed after \(elapsedMs) ms" }
        if childSignal != 0 { return "probe process died with signal \(childSignal) in \(stage.operation)" }
        if errno != 0 { return "\(stage.operation) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
        switch stage {
        case .apiVersion: return "KVM_GET_API_VERSION returned \(apiVersion ?? -1), expected 12"
        case .runIO:
            if let r = exitReason, r != 2 { return "first KVM_RUN ended with \(Self.exitReasonName(r)), expected KVM_EXIT_IO" }
            return "guest I/O exit was port \(ioPort.map { String($0, radix: 16) } ?? "?") byte \(ioByte ?? -1), expected 'K' on 0x3f8"
        case .runHLT: return "second KVM_RUN ended with \(Self.exitReasonName(exitReason ?? -1)), expected KVM_EXIT_HLT"
        default: return "failed in \(stage.operation)"
        }
    }

    /// Runs the probe in a forked child with a deadline; a hung ioctl is killed.
    /// The corresponding C function is `vmctl_kvm_probe`.
    /// `guest` .spin runs `jmp $`, which never exits: only tests use it, to prove the deadline.
    /// The corresponding C function is `vmctl_kvm_probe_guest`.
    public static func run(devicePath: String = "/dev/kvm", deadline: Duration = .seconds(2),
                           guest: Guest = .portWriteThenHalt) -> KernelKVMProbeResult {
        var raw = vmctl_kvm_probe_result()
        let ms = Int32(clamping: deadline.milliseconds)
        let rc = vmctl_kvm_probe_guest(devicePath, ms, guest == .spin ? Int32(VMCTL_KVM_GUEST_SPIN) : Int32(VMCTL_KVM_GUEST_HALT), &raw)
        guard rc == 0 else { return KernelKVMProbeResult(passed: false, stage: .setup, errno: EINVAL) }
        return KernelKVMProbeResult(
            passed: raw.ok == 1,
            stage: Stage(rawValue: raw.stage) ?? .setup,
            errno: raw.err,
            apiVersion: raw.api_version >= 0 ? raw.api_version : nil,
            exitReason: raw.exit_reason >= 0 ? raw.exit_reason : nil,
            ioPort: raw.io_port >= 0 ? raw.io_port : nil,
            ioByte: raw.io_byte >= 0 ? raw.io_byte : nil,
            timedOut: raw.timed_out == 1,
            childSignal: raw.child_signal,
            elapsedMs: Int(raw.elapsed_ms))
    }
}

/// The kernel's NTP state (adjtimex with modes = 0).
public struct KernelClockStatus: Sendable, Equatable {
    public var synchronized: Bool
    public var state: Int32
    public var maxErrorMicroseconds: Int64

    public init(synchronized: Bool, state: Int32, maxErrorMicroseconds: Int64) {
        self.synchronized = synchronized
        self.state = state
        self.maxErrorMicroseconds = maxErrorMicroseconds
    }

    /// The corresponding C function is `vmctl_clock_read` (adjtimex(2)).
    public static func read() -> KernelClockStatus? {
        var raw = vmctl_clock_status()
        guard vmctl_clock_read(&raw) == 0 else { return nil }
        return KernelClockStatus(synchronized: raw.synced == 1, state: raw.state, maxErrorMicroseconds: raw.maxerror)
    }
}

extension Duration {
    var milliseconds: Int64 {
        let c = components
        return c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
    }

    var secondsString: String { cFormat("%.1f s", Double(milliseconds) / 1000) }
}
