import ArgumentParser
import VMCtlKit

extension VMCtl {
    struct VM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vm",
            abstract: "Create, list and control virtual machines.",
            subcommands: [List.self]
        )
    }
}

extension VMCtl.VM {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List all domains with their state, vCPUs and memory.")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try reportingErrors {
                let connection = try global.target.open(readOnly: true)
                let vms = try VMInventory.list(connection)
                print(global.output == .json ? VMInventory.renderJSON(vms) : VMInventory.renderText(vms))
            }
        }
    }
}
