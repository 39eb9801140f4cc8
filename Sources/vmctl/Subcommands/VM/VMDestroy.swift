import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Destroy: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "destroy", abstract: "Stop a VM at once, like pulling the plug.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: ActiveVMName

        func run() throws {
            try reportingErrors {
                let name = try VMLifecycle(connection: global.target.open()).destroy(vm.name)
                print("destroyed \(name)")
            }
        }
    }
}
