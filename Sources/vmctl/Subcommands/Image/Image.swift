import ArgumentParser
import Foundation
import VMCtlKit

extension VMCtl {
    struct Image: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "image",
            abstract: "Fetch verified cloud images into a pool, list base images and who uses them, prune unused ones.",
            subcommands: [Fetch.self, List.self, Prune.self]
        )
    }
}

