import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct IP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ip",
            abstract: "Show a VM's addresses (DHCP lease, guest agent, ARP); with --wait, wait for one and explain when none comes.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: ActiveVMName
        @Option(help: "Wait up to this many seconds for an IPv4 address.") var wait: Double?

        func run() throws {
            try reportingErrors {
                let connection = try global.target.open(readOnly: true)
                let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: vm.name)
                let finder = VMAddressFinder(connection: connection)
                var addresses = finder.addresses(of: domain)
                if let wait {
                    addresses = try finder.waitForAddress(of: domain, timeout: wait, progress: global.progress)
                } else if addresses.isEmpty {
                    throw VMCtlError(finder.diagnose(domain, timeout: 0))
                }
                global.emit(["addresses": addresses]) { value in
                    (value["addresses"] ?? []).map { "\($0.address)/\($0.prefix) \($0.mac ?? "-") (\($0.source))" }.joined(separator: "\n")
                }
            }
        }
    }
}
