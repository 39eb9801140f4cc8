import ArgumentParser
import VMCtlKit

extension VMCtl.Snapshot {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Take a snapshot (disks, and memory when running).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM (name or UUID).", completion: .names(.vms(.all))) var vm: String
        @Argument(help: "The snapshot's name.") var name: String
        @Option(help: "A description.") var description: String?

        func run() throws {
            try reportingErrors {
                let entry = try SnapshotService(connection: global.target.open()).create(vm: vm, name: name, description: description)
                global.emit(entry) { "created snapshot \($0.name) of \(vm)" }
            }
        }
    }
}
