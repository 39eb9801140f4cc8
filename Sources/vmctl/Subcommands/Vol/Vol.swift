import ArgumentParser
import FoundationEssentials
import VMCtlKit

#if canImport(Glibc)
import Glibc
#endif

extension VMCtl {
    struct Vol: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vol",
            abstract: "Create, clone, resize and import storage volumes.",
            subcommands: [Create.self, List.self, Delete.self, Clone.self, Resize.self, Import.self]
        )
    }
}

