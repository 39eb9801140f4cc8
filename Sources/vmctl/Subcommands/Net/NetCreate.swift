import ArgumentParser
import VMCtlKit

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
}
