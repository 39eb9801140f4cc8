import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resume", abstract: "Let a suspended VM run again.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName

        func run() throws {
            try reportingErrors {
                let result = try VMControl(connection: global.target.open()).resume(vm.name)
                global.emit(result, text: VMChangeResult.renderText)
            }
        }
    }
}
