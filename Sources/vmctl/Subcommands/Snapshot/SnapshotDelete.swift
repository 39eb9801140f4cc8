import ArgumentParser
import VMCtlKit

extension VMCtl.Snapshot {
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a snapshot.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM (name or UUID).", completion: .names(.vms(.all))) var vm: String
        @Argument(help: "The snapshot's name.", completion: .names(.snapshots)) var name: String

        func run() throws {
            try reportingErrors {
                try SnapshotService(connection: global.target.open()).delete(vm: vm, name: name)
                print("deleted snapshot \(name) of \(vm)")
            }
        }
    }
}
