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

