import ArgumentParser
import Foundation
import LibvirtXML
import VMCtlKit

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
