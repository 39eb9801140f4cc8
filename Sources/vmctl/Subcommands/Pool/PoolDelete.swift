import ArgumentParser
import VMCtlKit

extension VMCtl.Pool {
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Stop and undefine a pool; volumes stay on disk.",
            discussion: "With --delete-data, also remove the pool's storage (the target directory), which must hold no volumes.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name.", completion: .names(.pools(.all))) var name: String
        @Flag(name: .customLong("delete-data"), help: "Also delete the (empty) target directory.") var deleteData = false

        func run() throws {
            try reportingErrors {
                let result = try StorageService(connection: try global.target.open()).deletePool(name, deleteData: deleteData)
                print(StorageOutput.action(result, format: global.output))
            }
        }
    }
}
