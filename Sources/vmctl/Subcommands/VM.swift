import ArgumentParser
import VMCtlKit

extension VMCtl {
    struct VM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vm",
            abstract: "Create, list and control virtual machines.",
            subcommands: [List.self, Define.self, Start.self, Stop.self, Destroy.self, Undefine.self]
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

extension VMCtl.VM {
    struct Define: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define a domain from a libvirt XML file (schema-validated).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Path to the domain XML.") var file: String

        func run() throws {
            try reportingErrors {
                let domain = try VMLifecycle(connection: global.target.open()).define(xmlFile: file)
                print("defined \(domain.name)")
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a defined VM.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM's name.") var name: String

        func run() throws {
            try reportingErrors {
                try VMLifecycle(connection: global.target.open()).start(name)
                print("started \(name)")
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shut a VM down gracefully (ACPI), waiting for it to stop.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM's name.") var name: String
        @Option(help: "Seconds to wait for the guest to power off.") var timeout: Double = 60
        @Flag(help: "Destroy the VM if it has not stopped when the timeout ends.") var force = false

        func validate() throws {
            guard timeout > 0, timeout <= 3600 else {
                throw ValidationError("--timeout: must be between 0 and 3600 seconds")
            }
        }

        func run() throws {
            try reportingErrors {
                try VMLifecycle(connection: global.target.open()).stop(name, timeout: timeout, force: force)
                print("stopped \(name)")
            }
        }
    }

    struct Destroy: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a VM at once, like pulling the plug.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM's name.") var name: String

        func run() throws {
            try reportingErrors {
                try VMLifecycle(connection: global.target.open()).destroy(name)
                print("destroyed \(name)")
            }
        }
    }

    struct Undefine: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a stopped VM's definition; its disks stay.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM's name.") var name: String

        func run() throws {
            try reportingErrors {
                try VMLifecycle(connection: global.target.open()).undefine(name)
                print("undefined \(name)")
            }
        }
    }
}
