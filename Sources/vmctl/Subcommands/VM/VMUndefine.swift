import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Undefine: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "undefine", abstract: "Remove a stopped VM's definition; its disks stay.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName

        func run() throws {
            try reportingErrors {
                let name = try VMLifecycle(connection: global.target.open()).undefine(vm.name)
                print("undefined \(name)")
            }
        }
    }
}
