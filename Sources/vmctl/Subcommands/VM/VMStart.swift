import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a VM.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: InactiveVMName
        @OptionGroup var waiting: WaitOptions

        func run() throws {
            try reportingErrors {
                let connection = try global.target.open()
                let name = try VMLifecycle(connection: connection).start(vm.name)
                _ = try waiting.waitIfAsked([try VMLifecycle(connection: connection).domain(nameOrUUID: name)], on: connection,
                                            progress: global.progress)
                print("started \(name)")
            }
        }
    }
}
