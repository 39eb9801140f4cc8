import ArgumentParser
import FoundationEssentials
import TextSupport
import Libvirt
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

/// Every command names itself (`commandName:`): without it the parser derives the
/// name with `String(describing:)`, a conformance scan per command type at every
/// start-up, a fifth of `vmctl vm list` (Docs/benchmarks.md).
@main
struct VMCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmctl",
        abstract: "Build KVM/libvirt lab machines: VMs, networks, storage and whole labs.",
        version: vmctlVersion,
        subcommands: [Version.self, Host.self, VM.self, Snapshot.self, Net.self, Pool.self, Vol.self, Image.self, Lab.self]
    )

    /// Written before the command (`vmctl -c URI vm list`), the global options are
    /// moved after it (`CommandLineArguments.prepare`). Declared here as well so
    /// help lists them there and shell completion reads `-c URI` before the
    /// command as an option with its value, not as a command's name.
    @OptionGroup(title: "Global options (before or after the command)") var global: GlobalOptions

    /// Parses and runs a command. Global options may come before the command
    /// (`vmctl -c URI vm list`); a parser error is one line, exit 64, with no
    /// secret from the command line in it.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let commands = CommandLineArguments.CommandTree(VMCtl.self)
        if let message = CommandLineArguments.pastedPrivateKey(in: arguments) {
            printError(message)
            Glibc.exit(ExitStatus.usage.rawValue)
        }
        let prepared: [String]
        switch CommandLineArguments.prepare(arguments, commands: commands) {
        case .unknownCommand(let message):
            printError(CommandLineArguments.redact(message, arguments: arguments))
            Glibc.exit(ExitStatus.usage.rawValue)
        case .parse(let parsed):
            prepared = parsed
        }
        do {
            var command = try parse(prepared)
            try command.run()
        } catch {
            let status = exitCode(for: error)
            // Help, --version and exit statuses from commands that printed their own error.
            if status == .success || error is ExitCode { exit(withError: error) }
            var message = message(for: error)
            if message.isEmpty { message = String(describing: error) }
            if let unknown = CommandLineArguments.unknownCommand(in: prepared, commands: commands) { message = unknown }
            if let first = message.first, first.isUppercase, message.dropFirst().first?.isLowercase == true {
                message = first.lowercased() + message.dropFirst()
            }
            printError(CommandLineArguments.redact(message, arguments: arguments))
            Glibc.exit(status.rawValue)
        }
    }
}

extension VMCtl {
    /// The parsed command. A leaf command named in full (`vm create …`) is
    /// parsed as the root: the parser then reflects over that command alone,
    /// not over all of vmctl's, which cost 8 % of `vm create --dry-run`'s CPU
    /// time at each start-up (Docs/benchmarks.md). Help, version and completion
    /// requests go through the whole tree, which their text names.
    static func parse(_ arguments: [String]) throws -> any ParsableCommand {
        guard let (leaf, words) = leafCommand(named: arguments),
              !arguments.dropFirst(words).contains(where: asksTheWholeTree) else {
            return try parseAsRoot(arguments)
        }
        return try leaf.parseAsRoot(Array(arguments.dropFirst(words)))
    }

    /// The command without subcommands that the first words name, and how many words name it.
    static func leafCommand(named arguments: [String]) -> (any ParsableCommand.Type, Int)? {
        var command: any ParsableCommand.Type = VMCtl.self
        var words = 0
        while !command.configuration.subcommands.isEmpty {
            guard words < arguments.count,
                  let next = command.configuration.subcommands.first(where: { $0._commandName == arguments[words] }) else { return nil }
            command = next
            words += 1
        }
        return words > 0 ? (command, words) : nil
    }

    /// An argument whose answer is the parser's own text for the whole tree.
    static func asksTheWholeTree(_ argument: String) -> Bool {
        argument == "-h" || argument == "--help" || argument == "--version" || argument.hasPrefix("--generate-completion-script")
            || argument.hasPrefix("---") || argument.hasPrefix("--experimental")
    }
}

extension CommandLineArguments.CommandTree {
    /// The names of `command`'s subcommands, all the way down.
    init(_ command: any ParsableCommand.Type) {
        self.init(lazy: {
            var children: [String: Self] = [:]
            for subcommand in command.configuration.subcommands {
                children[subcommand._commandName] = Self(subcommand)
            }
            return children
        })
    }
}

/// Options every command that talks to libvirt takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .long], help: "libvirt URI (default: $LIBVIRT_DEFAULT_URI, then libvirt's choice).")
    var connect: String?

    @Option(name: [.short, .long], help: "Output format: text or json.")
    var output: OutputFormat = .text

    @Flag(name: .shortAndLong, help: "Print no progress lines.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print more detail.")
    var verbose = false

    func validate() throws {
        // An empty URI would silently mean libvirt's default, which the user did not ask for.
        if let connect, connect.trimmingSpaces().isEmpty {
            throw ValidationError("--connect: must not be empty; give a libvirt URI such as qemu:///system")
        }
    }

    var target: ConnectionTarget {
        guard verbose else { return ConnectionTarget(uri: connect) }
        let progress = StderrProgress(timed: true)
        let report: @Sendable (String) -> Void = { message in progress.step(message) }
        return ConnectionTarget(uri: connect, onConnect: report)
    }

    /// Progress goes to stderr, so stdout stays clean for results and JSON;
    /// `--verbose` adds the time since vmctl started to each line.
    var progress: any ProgressReporter { quiet ? SilentProgress() : StderrProgress(timed: verbose) }

    /// Prints a result as JSON or as text.
    func emit<T: Encodable>(_ value: T, text: (T) -> String) {
        print(output == .json ? renderJSON(value) : text(value))
    }
}

/// Progress lines on stderr: `vmctl: …`, with `--verbose` `vmctl [+1.234s]: …`.
struct StderrProgress: ProgressReporter {
    var timed = false

    /// The first timed line's time; later lines show the time since it.
    static let start = Date()

    func step(_ message: String) {
        FaultSeam.step()
        let stamp = timed ? cFormat(" [+%.3fs]", max(0, Date().timeIntervalSince(Self.start))) : ""
        writeStandardError("vmctl\(stamp): \(message)\n")
    }
}

extension OutputFormat: ExpressibleByArgument {}

/// Runs a command body; a vmctl or libvirt error becomes one line on stderr
/// and the documented exit status.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as VMCtlError {
        printError(error.message)
        throw ExitCode(error.status.rawValue)
    } catch let error as LibvirtError {
        printError(error.description)
        throw ExitCode(ExitStatus.failure.rawValue)
    }
}

/// Runs a libvirt call for a command, keeping libvirt's code in the message.
func libvirtCall<T>(_ action: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as LibvirtError {
        throw VMCtlError.libvirt(error, while: action)
    }
}

func printWarning(_ message: String) {
    writeStandardError("vmctl: warning: \(message)\n")
}

func printError(_ message: String) {
    writeStandardError("vmctl: error: \(message)\n")
}
