import ArgumentParser
import VMCtlKit

extension VMCtl.Net {
    struct Reserve: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reserve", abstract: "Give a MAC address a fixed IP through DHCP.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.", completion: .names(.networks(.all))) var name: String
        @Option(help: "The guest NIC's MAC address.") var mac: String
        @Option(help: "The address to hand out, inside the network's subnet.") var ip: String
        @Option(help: "Host name handed to the guest.") var host: String?

        func run() throws {
            try reportingErrors {
                let reservation = try NetworkService(connection: try global.target.open()).reserve(name, mac: mac, ip: ip, host: host)
                print(NetworkOutput.reservation(network: name, reservation, action: "reserved", format: global.output))
            }
        }
    }
}
