import ArgumentParser
import VMCtlKit

extension VMCtl.Net {
    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a running network; its definition stays.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.", completion: .names(.networks(.active))) var name: String

        func run() throws {
            try reportingErrors {
                print(NetworkOutput.action(try NetworkService(connection: try global.target.open()).stop(name), format: global.output))
            }
        }
    }
}
