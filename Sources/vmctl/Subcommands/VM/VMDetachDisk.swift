import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct DetachDisk: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "detach-disk", abstract: "Detach a disk by its target (vdb); its image or volume is kept.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Argument(help: "The disk's guest device, e.g. vdb.") var target: String
        @OptionGroup var scope: ChangeScopeOptions

        func run() throws {
            try reportingErrors {
                let result = try VMDevices(connection: global.target.open(), progress: global.progress)
                    .detachDisk(vm.name, target: target, live: scope.live, config: scope.config)
                global.emit(result, text: VMChangeResult.renderText)
            }
        }
    }
}
