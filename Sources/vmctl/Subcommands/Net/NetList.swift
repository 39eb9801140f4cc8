import ArgumentParser
import VMCtlKit

extension VMCtl.Net {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List networks: state, bridge, mode and subnet.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try reportingErrors {
                let networks = try NetworkService(connection: try global.target.open(readOnly: true)).list()
                print(NetworkOutput.list(networks, format: global.output))
            }
        }
    }
}
