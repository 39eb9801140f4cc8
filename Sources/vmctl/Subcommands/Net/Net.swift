import ArgumentParser
import VMCtlKit

extension VMCtl {
    struct Net: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "net",
            abstract: "Create and manage libvirt networks: NAT, host-only, bridged, routed.",
            subcommands: [
                Create.self, List.self, Show.self, Start.self, Stop.self, Delete.self, Leases.self, Reserve.self,
                Unreserve.self,
            ]
        )
    }
}

extension NetworkMode: ExpressibleByArgument {}

