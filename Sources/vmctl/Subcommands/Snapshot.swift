import ArgumentParser
import VMCtlKit

extension VMCtl {
    struct Snapshot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "snapshot",
            abstract: "Create, list, revert to and delete a VM's snapshots.",
            subcommands: [Create.self, List.self, Revert.self, Delete.self])
    }
}

extension VMCtl.Snapshot {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Take a snapshot (disks, and memory when running).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM (name or UUID).") var vm: String
        @Argument(help: "The snapshot's name.") var name: String
        @Option(help: "A description.") var description: String?

        func run() throws {
            try reportingErrors {
                let entry = try SnapshotService(connection: global.target.open()).create(vm: vm, name: name, description: description)
                global.emit(entry) { "created snapshot \($0.name) of \(vm)" }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a VM's snapshots.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM (name or UUID).") var vm: String

        func run() throws {
            try reportingErrors {
                let entries = try SnapshotService(connection: global.target.open(readOnly: true)).list(vm: vm)
                global.emit(["snapshots": entries]) { value in
                    renderTable(header: ["NAME", "CURRENT", "DESCRIPTION"], rows: (value["snapshots"] ?? []).map {
                        [$0.name, $0.current ? "yes" : "", $0.description ?? ""]
                    })
                }
            }
        }
    }

    struct Revert: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revert", abstract: "Revert a VM to a snapshot.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM (name or UUID).") var vm: String
        @Argument(help: "The snapshot's name.") var name: String

        func run() throws {
            try reportingErrors {
                try SnapshotService(connection: global.target.open()).revert(vm: vm, name: name)
                print("reverted \(vm) to \(name)")
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a snapshot.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM (name or UUID).") var vm: String
        @Argument(help: "The snapshot's name.") var name: String

        func run() throws {
            try reportingErrors {
                try SnapshotService(connection: global.target.open()).delete(vm: vm, name: name)
                print("deleted snapshot \(name) of \(vm)")
            }
        }
    }
}
