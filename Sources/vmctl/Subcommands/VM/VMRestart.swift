import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Restart: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "restart", abstract: "Stop a VM gracefully, then start it again.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: ActiveVMName
        @Option(help: "Seconds to wait for the guest to power off.") var timeout: Double = 60
        @Flag(help: "Destroy the VM if it has not stopped when the timeout ends.") var force = false

        func run() throws {
            try reportingErrors {
                let lifecycle = VMLifecycle(connection: try global.target.open())
                let name = try lifecycle.stop(vm.name, timeout: timeout, force: force)
                try lifecycle.start(name)
                print("restarted \(name)")
            }
        }
    }
}
