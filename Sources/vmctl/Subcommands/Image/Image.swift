import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl {
    struct Image: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "image",
            abstract: "Fetch verified cloud images into a pool, list base images and who uses them, prune unused ones.",
            subcommands: [Fetch.self, List.self, Prune.self]
        )
    }
}

