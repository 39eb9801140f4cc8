import ArgumentParser
import VMCtlKit

extension VMCtl.Net {
    struct Leases: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "leases", abstract: "List the network's DHCP leases.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.", completion: .names(.networks(.all))) var name: String

        func run() throws {
            try reportingErrors {
                let leases = try NetworkService(connection: try global.target.open(readOnly: true)).leases(name)
                print(NetworkOutput.leases(leases, format: global.output))
            }
        }
    }
}
