import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// The 512-byte boot sector that vmctl boots to see whether an emulator
/// can run a guest. It prints a marker to COM1 in real mode, switches to
/// 32-bit protected mode and prints a second marker, then halts.
///
///     cli; xor ax,ax; mov ds,ax; mov ss,ax; mov sp,0x7c00; cld
///     mov dx,0x3f8; mov si,msg16
///     1: lodsb; test al,al; jz 2f; out dx,al; jmp 1b
///     2: lgdtl [gdtr]; mov eax,cr0; or al,1; mov cr0,eax; ljmpl 0x08:pm
///     pm (32-bit): mov ax,0x10; mov ds/es/ss,ax; mov esi,msg32; mov dx,0x3f8
///     3: lodsb; test al,al; jz 4f; out dx,al; jmp 3b
///     4: hlt; jmp 4b
///     gdt: null, code 0x00cf9a000000ffff, data 0x00cf92000000ffff; gdtr: limit 23, base gdt
public enum BootSector {
    public static let realModeMarker = "VMCTL-REAL"
    public static let protectedModeMarker = "VMCTL-PROTECTED-OK"

    /// Code, GDT and GDTR: 0x6e bytes, loaded at 0x7c00. The strings follow at 0x6e (msg16) and 0x7a (msg32).
    static let code: [UInt8] = [
        0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x7c, 0xfc,       // cli; segments; sp; cld
        0xba, 0xf8, 0x03, 0xbe, 0x6e, 0x7c,                                     // mov dx,0x3f8; mov si,0x7c6e
        0xac, 0x84, 0xc0, 0x74, 0x03, 0xee, 0xeb, 0xf8,                         // print loop (16-bit)
        0x66, 0x0f, 0x01, 0x16, 0x68, 0x7c,                                     // lgdtl [0x7c68]
        0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0,                         // cr0.PE = 1
        0x66, 0xea, 0x2f, 0x7c, 0x00, 0x00, 0x08, 0x00,                         // ljmpl 0x08:0x7c2f
        0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0,             // 32-bit: data segments
        0xbe, 0x7a, 0x7c, 0x00, 0x00, 0x66, 0xba, 0xf8, 0x03,                   // mov esi,0x7c7a; mov dx,0x3f8
        0xac, 0x84, 0xc0, 0x74, 0x03, 0xee, 0xeb, 0xf8,                         // print loop (32-bit)
        0xf4, 0xeb, 0xfd,                                                       // hlt; jmp hlt
        0x8d, 0x76, 0x00,                                                       // padding to 8-byte alignment
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                         // GDT[0] null
        0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00,                         // GDT[1] code, flat 4 GiB
        0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00,                         // GDT[2] data, flat 4 GiB
        0x17, 0x00, 0x50, 0x7c, 0x00, 0x00,                                     // GDTR: limit 23, base 0x7c50
    ]

    /// The 512-byte image, ending in the 0x55 0xAA signature.
    public static var image: [UInt8] {
        var bytes = code
        precondition(bytes.count == 0x6e)
        bytes += Array((realModeMarker + " ").utf8) + [0]
        precondition(bytes.count == 0x7a)
        bytes += Array((protectedModeMarker + "\r\n").utf8) + [0]
        bytes += [UInt8](repeating: 0, count: 510 - bytes.count)
        bytes += [0x55, 0xaa]
        return bytes
    }
}

/// Result of booting the boot sector under `qemu-system-<arch> -accel <accelerator>`.
public struct EmulatorProbeResult: Sendable, Equatable {
    public var accelerator: String
    /// The protected-mode marker appeared within the deadline.
    public var passed: Bool
    /// The real-mode marker appeared: the firmware reached the boot sector.
    public var reachedBootSector: Bool
    /// Time to the protected-mode marker, or until the probe gave up.
    public var elapsedMs: Int
    public var timedOut: Bool
    /// Set when the emulator exited by itself before the marker.
    public var exitStatus: Int32?
    /// The emulator's stderr, first lines.
    public var diagnostics: String
    /// Why the emulator could not be started, if it could not.
    public var launchError: String?

    public init(accelerator: String, passed: Bool, reachedBootSector: Bool, elapsedMs: Int, timedOut: Bool,
                exitStatus: Int32? = nil, diagnostics: String = "", launchError: String? = nil) {
        self.accelerator = accelerator
        self.passed = passed
        self.reachedBootSector = reachedBootSector
        self.elapsedMs = elapsedMs
        self.timedOut = timedOut
        self.exitStatus = exitStatus
        self.diagnostics = diagnostics
        self.launchError = launchError
    }

    public var explanation: String {
        let secs = cFormat("%.2f s", Double(elapsedMs) / 1000)
        if passed { return "boot sector reached protected mode and printed its marker in \(secs) under -accel \(accelerator)" }
        if let launchError { return "could not start the emulator: \(launchError)" }
        if let exitStatus {
            let why = diagnostics.split(separator: "\n").last.map(String.init) ?? "no message"
            return "emulator exited with status \(exitStatus) after \(secs) under -accel \(accelerator): \(why)"
        }
        if reachedBootSector {
            return "boot sector started but its protected-mode marker did not appear within \(secs) under -accel \(accelerator)"
        }
        return "firmware did not reach the boot sector within \(secs) under -accel \(accelerator) (no serial marker)"
    }
}

public enum EmulatorProbe {
    /// QEMU arguments: no defaults, no display, 16 MiB, COM1 to a file, the boot sector as an IDE disk.
    public static func arguments(accelerator: String, image: String, serialLog: String) -> [String] {
        [
            "-accel", accelerator, "-machine", "pc", "-nodefaults", "-no-user-config",
            "-display", "none", "-monitor", "none", "-m", "16", "-no-reboot",
            "-serial", "file:\(serialLog)",
            "-drive", "file=\(image),format=raw,if=ide",
        ]
    }

    /// Boots the boot sector and waits up to `deadline` for its marker. The
    /// emulator is always killed and the temporary directory removed.
    public static func run(emulator: String, accelerator: String, deadline: Duration = .seconds(2)) -> EmulatorProbeResult {
        let clock = ContinuousClock()
        let start = clock.now
        func elapsed() -> Int { Int((clock.now - start).milliseconds) }

        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("vmctl-emuprobe-\(getpid())-\(UUID().uuidString.prefix(8))")
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            return EmulatorProbeResult(accelerator: accelerator, passed: false, reachedBootSector: false, elapsedMs: elapsed(),
                                       timedOut: false, launchError: "cannot create a temporary directory: \(error)")
        }
        defer { try? fm.removeItem(at: dir) }
        let image = dir.appendingPathComponent("boot.img").path
        let serial = dir.appendingPathComponent("serial.log").path
        _ = fm.createFile(atPath: image, contents: Data(BootSector.image))
        _ = fm.createFile(atPath: serial, contents: nil)

        // QEMU's standard error goes to ChildProcess's own file; the serial log is the probe's.
        var serialText = ""
        let outcome: ChildProcess.Result
        do {
            outcome = try ChildProcess.run(
                emulator, arguments(accelerator: accelerator, image: image, serialLog: serial),
                timeout: Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18,
                stopWhen: {
                    serialText = (fm.contents(atPath: serial)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                    return serialText.contains(BootSector.protectedModeMarker)
                })
        } catch {
            return EmulatorProbeResult(accelerator: accelerator, passed: false, reachedBootSector: false, elapsedMs: elapsed(),
                                       timedOut: false, launchError: "\(emulator): \(error)")
        }
        let elapsedMs = elapsed()
        // The marker may have landed between the last read and the kill.
        serialText = (fm.contents(atPath: serial)).map { String(decoding: $0, as: UTF8.self) } ?? serialText
        let passed = serialText.contains(BootSector.protectedModeMarker)
        let exited = !outcome.timedOut && !outcome.stopped
        let stderrText = outcome.errors
        let diagnostics = stderrText.split(separator: "\n").prefix(5).joined(separator: "\n")
        return EmulatorProbeResult(
            accelerator: accelerator,
            passed: passed,
            reachedBootSector: serialText.contains(BootSector.realModeMarker),
            elapsedMs: elapsedMs,
            timedOut: !passed && !exited,
            exitStatus: exited && !passed ? outcome.status : nil,
            diagnostics: diagnostics)
    }
}

/// Runs a command with a deadline; output goes through files so a chatty
/// child cannot block on a full pipe. The child is killed at the deadline.
struct CommandResult: Sendable {
    var status: Int32?
    var stdout: String
    var stderr: String
    var timedOut: Bool
    var launchError: String?
}

func runCommand(_ executable: String, _ arguments: [String], deadline: Duration) -> CommandResult {
    let seconds = Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18
    do {
        let result = try ChildProcess.run(executable, arguments, timeout: seconds)
        return CommandResult(status: result.timedOut ? nil : result.status, stdout: result.output, stderr: result.errors,
                             timedOut: result.timedOut, launchError: nil)
    } catch {
        return CommandResult(status: nil, stdout: "", stderr: "", timedOut: false, launchError: "\(error)")
    }
}
