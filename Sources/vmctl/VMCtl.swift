import ArgumentParser
import Foundation
import Libvirt
import VMCtlKit

@main
struct VMCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmctl",
        abstract: "Build KVM/libvirt lab machines: VMs, networks, storage and whole labs.",
        version: vmctlVersion,
        subcommands: [Version.self, Host.self, VM.self, Net.self, Pool.self, Vol.self]
    )
}

/// Options every command that talks to libvirt takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .long], help: "libvirt URI (default: $LIBVIRT_DEFAULT_URI, then libvirt's choice).")
    var connect: String?

    @Option(name: [.short, .long], help: "Output format: text or json.")
    var output: OutputFormat = .text

    var target: ConnectionTarget { ConnectionTarget(uri: connect) }
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

func printError(_ message: String) {
    FileHandle.standardError.write(Data("vmctl: error: \(message)\n".utf8))
}
