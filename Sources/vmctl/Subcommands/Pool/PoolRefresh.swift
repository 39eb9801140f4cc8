import ArgumentParser
import VMCtlKit

extension VMCtl.Pool {
    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "refresh", abstract: "Rescan a running pool's target for volumes.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name.", completion: .names(.pools(.all))) var name: String

        func run() throws {
            try reportingErrors {
                print(StorageOutput.action(try StorageService(connection: try global.target.open()).refreshPool(name), format: global.output))
            }
        }
    }
}
