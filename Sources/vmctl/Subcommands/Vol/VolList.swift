import ArgumentParser
import FoundationEssentials
import VMCtlKit
import Glibc

extension VMCtl.Vol {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a pool's volumes.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool.", completion: .names(.pools(.all))) var pool: String

        func run() throws {
            try reportingErrors {
                let volumes = try StorageService(connection: try global.target.open(readOnly: true)).listVolumes(pool: pool)
                print(StorageOutput.volumes(volumes, format: global.output))
            }
        }
    }
}
