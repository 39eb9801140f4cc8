import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Autostart: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "autostart", abstract: "Make a VM start with the host (or, with --disable, not).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Flag(help: "Stop the VM starting with the host.") var disable = false

        func run() throws {
            try reportingErrors {
                let result = try VMControl(connection: global.target.open()).setAutostart(vm.name, enabled: !disable)
                global.emit(result, text: VMChangeResult.renderText)
            }
        }
    }
}
