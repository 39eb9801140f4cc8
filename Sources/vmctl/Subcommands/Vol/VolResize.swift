import ArgumentParser
import FoundationEssentials
import VMCtlKit
import Glibc

extension VMCtl.Vol {
    struct Resize: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resize", abstract: "Grow a volume (shrink only with --shrink).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool.", completion: .names(.pools(.all))) var pool: String
        @Argument(help: "The volume.", completion: .names(.volumes)) var name: String
        @Argument(help: "The new capacity, e.g. 40G.") var size: String
        @Flag(help: "Allow a smaller size; data past the new end is lost.") var shrink = false

        func run() throws {
            try reportingErrors {
                let volume = try StorageService(connection: try global.target.open()).resizeVolume(
                    pool: pool, name: name, size: size, shrink: shrink)
                print(StorageOutput.volume(volume, action: "resized", format: global.output))
            }
        }
    }
}
