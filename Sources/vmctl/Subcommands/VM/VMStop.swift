import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stop", abstract: "Shut a VM down gracefully (ACPI), waiting for it to stop.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: ActiveVMName
        @Option(help: "Seconds to wait for the guest to power off.") var timeout: Double = 60
        @Flag(help: "Destroy the VM if it has not stopped when the timeout ends.") var force = false

        func validate() throws {
            guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout: must be 1 to 3600 seconds") }
        }

        func run() throws {
            try reportingErrors {
                let name = try VMLifecycle(connection: global.target.open()).stop(vm.name, timeout: timeout, force: force)
                print("stopped \(name)")
            }
        }
    }
}
