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

extension VMCtl.Net {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Define a network and start it.",
            discussion: """
                Modes: nat (NAT to the host's uplink), isolated (host-only), route, open (routed, no firewall rules),
                bridge (guests join an existing host bridge given with --bridge; no --subnet).
                The subnet must not overlap another libvirt network or an address or route on the host.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.") var name: String
        @Option(help: "nat, isolated, bridge, route or open.") var mode: NetworkMode
        @Option(help: "Subnet as CIDR with host bits clear, e.g. 192.168.100.0/24 (not in bridge mode).") var subnet: String?
        @Option(name: .customLong("dhcp-range"), help: "START-END inside the subnet (default: after the gateway to the end).")
        var dhcpRange: String?
        @Option(help: "bridge mode: an existing host bridge; other modes: the name of the bridge libvirt creates.")
        var bridge: String?
        @Option(help: "DNS domain handed to guests.") var domain: String?
        @Flag(name: .customLong("no-dhcp"), help: "No DHCP server on the network.") var noDHCP = false
        @Flag(help: "Start the network with the host.") var autostart = false
        @Flag(name: .customLong("no-start"), help: "Define only; do not start.") var noStart = false

        func run() throws {
            try reportingErrors {
                let service = NetworkService(connection: try global.target.open())
                let summary = try service.create(
                    NetworkCreateRequest(
                        name: name, mode: mode, subnet: subnet, dhcpRange: dhcpRange, bridge: bridge, domain: domain,
                        dhcp: !noDHCP, autostart: autostart, start: !noStart))
                print(NetworkOutput.created(summary, format: global.output))
            }
        }
    }

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

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one network: addressing, DHCP, reservations, users.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.") var name: String

        func run() throws {
            try reportingErrors {
                let detail = try NetworkService(connection: try global.target.open(readOnly: true)).show(name)
                print(NetworkOutput.detail(detail, format: global.output))
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a defined network.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.") var name: String

        func run() throws {
            try reportingErrors {
                print(NetworkOutput.action(try NetworkService(connection: try global.target.open()).start(name), format: global.output))
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a running network; its definition stays.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.") var name: String

        func run() throws {
            try reportingErrors {
                print(NetworkOutput.action(try NetworkService(connection: try global.target.open()).stop(name), format: global.output))
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Stop and undefine a network.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.") var name: String
        @Flag(help: "Delete even while running domains use the network.") var force = false

        func run() throws {
            try reportingErrors {
                let result = try NetworkService(connection: try global.target.open()).delete(name, force: force)
                print(NetworkOutput.action(result, format: global.output))
            }
        }
    }

    struct Leases: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "leases", abstract: "List the network's DHCP leases.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.") var name: String

        func run() throws {
            try reportingErrors {
                let leases = try NetworkService(connection: try global.target.open(readOnly: true)).leases(name)
                print(NetworkOutput.leases(leases, format: global.output))
            }
        }
    }

    struct Reserve: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reserve", abstract: "Give a MAC address a fixed IP through DHCP.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.") var name: String
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

    struct Unreserve: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unreserve", abstract: "Remove a MAC address's fixed IP.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The network's name.") var name: String
        @Option(help: "The guest NIC's MAC address.") var mac: String

        func run() throws {
            try reportingErrors {
                let reservation = try NetworkService(connection: try global.target.open()).unreserve(name, mac: mac)
                print(NetworkOutput.reservation(network: name, reservation, action: "unreserved", format: global.output))
            }
        }
    }
}
