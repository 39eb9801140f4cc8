import ArgumentParser
import VMCtlKit

extension VMCtl.Snapshot {
    struct Revert: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revert", abstract: "Revert a VM to a snapshot.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM (name or UUID).", completion: .names(.vms(.all))) var vm: String
        @Argument(help: "The snapshot's name.", completion: .names(.snapshots)) var name: String

        func run() throws {
            try reportingErrors {
                try SnapshotService(connection: global.target.open()).revert(vm: vm, name: name)
                print("reverted \(vm) to \(name)")
            }
        }
    }
}
