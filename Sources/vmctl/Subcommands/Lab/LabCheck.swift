import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Lab {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check every node by kolla-ansible's rules, over SSH; changes nothing.",
            discussion: """
                Host names, NTP, sudo, network_interface and neutron_external_interface, the VIP, \
                keepalived_virtual_router_id, cinder-volumes, libvirtd and nova_compute_virt_type on compute nodes, \
                python3, free space in /var, swap (Docs/labs.md). Each failure is one line NODE: RULE: what was found; \
                the exit status is 1 when any rule fails.
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument

        func run() throws {
            try reportingErrors {
                let report = try LabChecker(runner: LabRunner(plan: VMCtl.Lab.load(plan, global))).check()
                global.emit(report) { $0.text }
                if !report.passed { throw ExitCode(ExitStatus.failure.rawValue) }
            }
        }
    }
}
