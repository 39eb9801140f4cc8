import ArgumentParser
import VMCtlKit

extension VMCtl.Net {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one network: addressing, DHCP, reservations, users.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.", completion: .names(.networks(.all))) var name: String

        func run() throws {
            try reportingErrors {
                let detail = try NetworkService(connection: try global.target.open(readOnly: true)).show(name)
                print(NetworkOutput.detail(detail, format: global.output))
            }
        }
    }
}
