import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Suspend: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "suspend", abstract: "Pause a running VM's vCPUs (it keeps its memory).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName

        func run() throws {
            try reportingErrors {
                let result = try VMControl(connection: global.target.open()).suspend(vm.name)
                global.emit(result, text: VMChangeResult.renderText)
            }
        }
    }
}
