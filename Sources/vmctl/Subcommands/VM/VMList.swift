import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List all VMs: state, vCPUs, memory, address, lab and role.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try reportingErrors {
                let vms = try VMInventory.list(try global.target.open(readOnly: true))
                print(global.output == .json ? VMInventory.renderJSON(vms) : VMInventory.renderText(vms))
            }
        }
    }
}
