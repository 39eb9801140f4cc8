import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List VMs: state, vCPUs, memory, address, lab and role.",
            discussion: "Without filters, every VM of the connection. Filters combine: --state running --lab demo.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Only VMs in this state: all (default), running, paused or shut-off.", valueName: "state"),
                completion: .list(VMListFilter.State.allCases.map(\.rawValue)))
        var state: String?
        @Option(help: ArgumentHelp("Only VMs whose name matches this shell glob (quote it: 'web*').", valueName: "pattern"))
        var name: String?
        @Option(help: ArgumentHelp("Only VMs vmctl created for this lab.", valueName: "lab"))
        var lab: String?

        func run() throws {
            try reportingErrors {
                let filter = try VMListFilter(state: state, name: name, lab: lab)
                let vms = try VMInventory.list(try global.target.open(readOnly: true), filter: filter)
                print(global.output == .json ? VMInventory.renderJSON(vms) : VMInventory.renderText(vms))
            }
        }
    }
}
