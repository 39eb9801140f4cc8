import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Console: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "console",
            abstract: "Attach to a VM's serial console (Ctrl-] detaches); a serial port logged to a file is followed read-only.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: ActiveVMName
        @Option(help: "Only read the console for this many seconds, sending nothing (for scripts).") var read: Double?

        func run() throws {
            try reportingErrors {
                let session = ConsoleSession(connection: try global.target.open())
                let sink: ConsoleSession.Sink = { bytes in writeStandardOutput(bytes) }
                if let read {
                    try session.read(vm.name, seconds: read, sink: sink)
                } else {
                    try session.attach(vm.name, sink: sink)
                }
            }
        }
    }
}
