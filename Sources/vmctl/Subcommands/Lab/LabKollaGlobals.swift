import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Lab {
    struct KollaGlobals: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kolla-globals",
            abstract: "globals.yml overrides for kolla-ansible: interfaces, a free VIP, the lab's keepalived router id, nova_compute_virt_type, cinder.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument
        @Option(help: "The lab network whose NIC is network_interface (default: the first NIC's).") var managementNetwork: String?
        @Option(help: "The lab network whose NIC is neutron_external_interface (default: the second NIC's).") var externalNetwork: String?

        func run() throws {
            try reportingErrors {
                let status = try LabRunner(plan: VMCtl.Lab.load(plan, global)).status()
                let globals = try VMCtlKit.KollaGlobals.render(status, managementNetwork: managementNetwork, externalNetwork: externalNetwork,
                                                               routerID: RouterID.current(lab: status.lab))
                print(globals.yaml, terminator: globals.yaml.hasSuffix("\n") ? "" : "\n")
            }
        }
    }
}
