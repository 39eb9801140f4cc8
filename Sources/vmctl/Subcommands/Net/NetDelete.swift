import ArgumentParser
import VMCtlKit

extension VMCtl.Net {
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Stop and undefine a network.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.", completion: .names(.networks(.all))) var name: String
        @Flag(help: "Delete even while running domains use the network.") var force = false

        func run() throws {
            try reportingErrors {
                let result = try NetworkService(connection: try global.target.open()).delete(name, force: force)
                print(NetworkOutput.action(result, format: global.output))
            }
        }
    }
}
