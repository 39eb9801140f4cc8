import ArgumentParser
import FoundationEssentials
import VMCtlKit
import Glibc

extension VMCtl.Vol {
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete a volume and its data; refused while a VM uses it or another volume is layered on it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool.", completion: .names(.pools(.all))) var pool: String
        @Argument(help: "The volume.", completion: .names(.volumes)) var name: String
        @Flag(help: "Delete it even though a VM or another volume still uses it.") var force = false

        func run() throws {
            try reportingErrors {
                let result = try StorageService(connection: try global.target.open()).deleteVolume(pool: pool, name: name, force: force)
                print(StorageOutput.action(result, format: global.output))
            }
        }
    }
}
