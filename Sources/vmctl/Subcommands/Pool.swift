import ArgumentParser
import VMCtlKit

extension VMCtl {
    struct Pool: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pool", abstract: "Manage storage pools.", subcommands: [])
    }
    struct Vol: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "vol", abstract: "Manage storage volumes.", subcommands: [])
    }
}
