import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct AttachNIC: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "attach-nic", abstract: "Attach a network interface.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Option(help: "NAME, network=NAME, bridge=BR or direct=DEV, with ,mac=… and ,model=… (as vm create takes it).")
        var network: String
        @OptionGroup var scope: ChangeScopeOptions

        func run() throws {
            try reportingErrors {
                let result = try VMDevices(connection: global.target.open(), progress: global.progress)
                    .attachNIC(vm.name, spec: network, live: scope.live, config: scope.config)
                global.emit(result, text: VMChangeResult.renderText)
            }
        }
    }
}
