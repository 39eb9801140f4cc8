import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Image {
    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune",
            abstract: "Remove fetched images that no VM disk and no volume's backing chain uses.",
            discussion: "Only volumes `image fetch` recorded are ever removed; a volume vmctl did not fetch is never touched.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print what would be removed; remove nothing.") var dryRun = false

        func run() throws {
            try reportingErrors {
                let result = try ImageService(connection: try global.target.open(readOnly: dryRun)).prune(dryRun: dryRun)
                print(ImageOutput.pruned(result, format: global.output))
            }
        }
    }
}
