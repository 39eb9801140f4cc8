import ArgumentParser
import VMCtlKit

extension VMCtl.Pool {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one pool: source, target, space and volumes.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name.", completion: .names(.pools(.all))) var name: String

        func run() throws {
            try reportingErrors {
                let detail = try StorageService(connection: try global.target.open(readOnly: true)).showPool(name)
                print(StorageOutput.detail(detail, format: global.output))
            }
        }
    }
}
