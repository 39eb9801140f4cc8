import ArgumentParser
import VMCtlKit

extension VMCtl.Net {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a defined network.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.", completion: .names(.networks(.inactive))) var name: String

        func run() throws {
            try reportingErrors {
                print(NetworkOutput.action(try NetworkService(connection: try global.target.open()).start(name), format: global.output))
            }
        }
    }
}
