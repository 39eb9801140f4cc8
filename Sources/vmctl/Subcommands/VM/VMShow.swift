import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a VM's disks, NICs, addresses and snapshots.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName

        func run() throws {
            try reportingErrors {
                let connection = try global.target.open(readOnly: true)
                let details = try VMShow.details(try VMLifecycle(connection: connection).domain(nameOrUUID: vm.name))
                global.emit(details, text: VMShow.renderText)
            }
        }
    }
}
