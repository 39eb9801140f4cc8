import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "edit", abstract: "Edit a VM's persistent XML in $VISUAL or $EDITOR (default vi), validated before it is defined.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName

        func run() throws {
            try reportingErrors {
                let result = try VMEditor(connection: global.target.open()).edit(vm.name, editor: VMEditor.terminalEditor())
                global.emit(result, text: VMChangeResult.renderText)
            }
        }
    }
}
