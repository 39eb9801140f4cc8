import ArgumentParser
import FoundationEssentials
import VMCtlKit
import Glibc

extension VMCtl.Vol {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an empty (sparse) volume, or a qcow2 overlay with --backing.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool.", completion: .names(.pools(.all))) var pool: String
        @Argument(help: "The new volume's name.") var name: String
        @Option(help: "Capacity, e.g. 20G, 512M (default with --backing: the backing image's).") var size: String?
        @Option(help: "qcow2 (default) or raw.") var format: String?
        @Option(help: "Backing image: a volume path, or a volume name in the same pool.") var backing: String?

        func run() throws {
            try reportingErrors {
                let volume = try StorageService(connection: try global.target.open()).createVolume(
                    pool: pool, name: name, size: size, format: format, backing: backing)
                print(StorageOutput.volume(volume, action: "created", format: global.output))
            }
        }
    }
}
