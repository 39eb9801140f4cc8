import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a shut-off VM.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Argument(help: "The new name.") var newName: String

        func run() throws {
            try reportingErrors {
                let result = try VMControl(connection: global.target.open()).rename(vm.name, to: newName)
                global.emit(result, text: VMChangeResult.renderText)
            }
        }
    }
}
