import FoundationEssentials
import Dispatch
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// `vm console`: the guest's serial console. A pty console is attached
/// interactively through libvirt's console stream (Ctrl-] detaches); a serial
/// port logged to a file is followed read-only.
public struct ConsoleSession: Sendable {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Where the console's bytes go; the CLI writes them to stdout.
    public typealias Sink = @Sendable ([UInt8]) -> Void

    /// Reads the console for `seconds` (or until the guest closes it, or
    /// `sink` returns false) without sending anything.
    public func read(_ name: String, seconds: Double, sink: @escaping Sink) throws(VMCtlError) {
        try read(name, seconds: seconds) { bytes in
            sink(bytes)
            return true
        }
    }

    /// Like `read(_:seconds:sink:)`, stopping as soon as `consume` returns false.
    public func read(_ name: String, seconds: Double, consume: @escaping @Sendable ([UInt8]) -> Bool) throws(VMCtlError) {
        let (domain, logFile) = try prepare(name)
        if let logFile {
            try follow(logFile, seconds: seconds) { bytes in _ = consume(bytes) }
            return
        }
        let stream = try libvirt("opening a stream") { try Stream(connection: connection) }
        try libvirt("opening the console of '\(name)'") { try domain.openConsole(stream, force: true) }
        // A blocking receive cannot time out by itself: abort the stream when time is up.
        let timer = DispatchWorkItem { stream.abort() }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: timer)
        defer { timer.cancel() }
        while true {
            guard let bytes = try? stream.receive(), !bytes.isEmpty else { return }
            if !consume(bytes) {
                stream.abort()
                return
            }
        }
    }

    /// Attaches the terminal: keystrokes go to the guest until Ctrl-] (0x1d).
    public func attach(_ name: String, sink: @escaping Sink) throws(VMCtlError) {
        let (domain, logFile) = try prepare(name)
        if let logFile {
            writeStandardError("vmctl: '\(name)' logs its serial port to \(logFile); following it read-only (Ctrl-C ends)\n")
            try follow(logFile, seconds: .infinity, sink: sink)
            return
        }
        let stream = try libvirt("opening a stream") { try Stream(connection: connection) }
        try libvirt("opening the console of '\(name)'") { try domain.openConsole(stream) }
        writeStandardError("vmctl: connected to \(name)'s console; Ctrl-] detaches\r\n")
        let terminal = RawTerminal()
        defer { terminal.restore() }
        detachThread {
            var byte: UInt8 = 0
            while Glibc.read(STDIN_FILENO, &byte, 1) == 1 {
                if byte == 0x1d {
                    stream.abort()
                    return
                }
                if (try? stream.send([byte])) == nil { return }
            }
            stream.abort()
        }
        while true {
            guard let bytes = try? stream.receive(), !bytes.isEmpty else { break }
            sink(bytes)
        }
    }

    func prepare(_ name: String) throws(VMCtlError) -> (Domain, String?) {
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: name)
        guard try libvirt("reading '\(name)'", { try domain.isActive() }) else {
            throw VMCtlError("vm console: '\(name)' is not running; start it with vmctl vm start \(name)", status: .usage)
        }
        let definition = try libvirt("reading '\(name)'") { try DomainDefinition(xml: try domain.xml()) }
        if case .file(let path)? = definition.serials.first?.source { return (domain, path) }
        return (domain, nil)
    }

    /// Prints a log file and what is appended to it, for `seconds`.
    func follow(_ path: String, seconds: Double, sink: @escaping Sink) throws(VMCtlError) {
        guard let file = ReadableFile(path: path) else {
            throw VMCtlError("vm console: cannot read the serial log \(path)")
        }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let bytes = file.read(upTo: 1 << 16)
            if bytes.isEmpty { sleepThread(seconds: 0.2) } else { sink(bytes) }
        }
    }
}

/// Puts the terminal in raw mode while attached, when stdin is a terminal.
final class RawTerminal: @unchecked Sendable {
    private var saved = termios()
    private let active: Bool

    init() {
        guard isatty(STDIN_FILENO) == 1, tcgetattr(STDIN_FILENO, &saved) == 0 else {
            active = false
            return
        }
        var raw = saved
        cfmakeraw(&raw)
        active = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0
    }

    func restore() {
        if active { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
    }
}
