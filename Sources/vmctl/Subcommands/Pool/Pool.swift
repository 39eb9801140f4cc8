import ArgumentParser
import VMCtlKit

extension VMCtl {
    struct Pool: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pool",
            abstract: "Create and manage storage pools: directories, file systems, NFS, LVM.",
            subcommands: [Create.self, List.self, Show.self, Start.self, Stop.self, Refresh.self, Delete.self]
        )
    }
}

extension PoolKind: ExpressibleByArgument {}

