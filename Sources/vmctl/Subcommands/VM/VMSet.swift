import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct SetResources: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Change a VM's memory and vCPUs, live and persistent where libvirt allows.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Option(help: "Memory, e.g. 2G (1024-based units).") var memory: String?
        @Option(help: "Virtual CPUs.") var vcpus: Int?
        @OptionGroup var scope: ChangeScopeOptions

        func run() throws {
            try reportingErrors {
                let request = VMResources.Request(memory: memory, vcpus: vcpus, live: scope.live, config: scope.config)
                let result = try VMResources(connection: global.target.open()).set(vm.name, request, progress: global.progress)
                global.emit(result, text: VMChangeResult.renderText)
            }
        }
    }
}
