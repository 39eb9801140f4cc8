import ArgumentParser
import VMCtlKit

extension VMCtl.Net {
    struct Unreserve: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unreserve", abstract: "Remove a MAC address's fixed IP.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.", completion: .names(.networks(.all))) var name: String
        @Option(help: "The guest NIC's MAC address.") var mac: String

        func run() throws {
            try reportingErrors {
                let reservation = try NetworkService(connection: try global.target.open()).unreserve(name, mac: mac)
                print(NetworkOutput.reservation(network: name, reservation, action: "unreserved", format: global.output))
            }
        }
    }
}
