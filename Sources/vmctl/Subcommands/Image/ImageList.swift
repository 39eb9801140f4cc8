import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Image {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List base images (fetched by vmctl, or under another volume) and the VMs and volumes using them.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only images in this pool.") var pool: String?

        func run() throws {
            try reportingErrors {
                let listing = try ImageService(connection: try global.target.open(readOnly: true)).list(pool: pool)
                print(ImageOutput.list(listing, format: global.output))
            }
        }
    }
}
