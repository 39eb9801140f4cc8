import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct DetachNIC: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "detach-nic", abstract: "Detach a network interface by its MAC address.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Argument(help: "The interface's MAC address.") var mac: String
        @OptionGroup var scope: ChangeScopeOptions

        func run() throws {
            try reportingErrors {
                let result = try VMDevices(connection: global.target.open(), progress: global.progress)
                    .detachNIC(vm.name, mac: mac, live: scope.live, config: scope.config)
                global.emit(result, text: VMChangeResult.renderText)
            }
        }
    }
}
