import ArgumentParser
import VMCtlKit

extension VMCtl.Pool {
    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a pool; its volumes stay on disk.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name.", completion: .names(.pools(.active))) var name: String

        func run() throws {
            try reportingErrors {
                print(StorageOutput.action(try StorageService(connection: try global.target.open()).stopPool(name), format: global.output))
            }
        }
    }
}
