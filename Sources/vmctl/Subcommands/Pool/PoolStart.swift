import ArgumentParser
import VMCtlKit

extension VMCtl.Pool {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a defined pool.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name.", completion: .names(.pools(.inactive))) var name: String

        func run() throws {
            try reportingErrors {
                print(StorageOutput.action(try StorageService(connection: try global.target.open()).startPool(name), format: global.output))
            }
        }
    }
}
