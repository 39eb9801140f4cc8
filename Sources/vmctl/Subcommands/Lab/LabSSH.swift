import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Lab {
    struct SSH: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ssh",
            abstract: "Log in to a lab node over SSH as the plan's login user, or run a command there.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument
        @Argument(help: "The node's name in the plan (compute1, not LAB-compute1).", completion: .names(.labNodes))
        var node: String
        @Option(name: .shortAndLong, help: "Log in as this user (default: the plan's login.user).") var user: String?
        @Option(name: [.customShort("i"), .long], help: "The private key (default: the plan's login.private_key).") var identity: String?
        @Option(help: "Wait up to this many seconds for an address.") var wait: Double?
        @Argument(parsing: .postTerminator, help: "The command to run (after --).") var command: [String] = []

        func run() throws {
            try reportingErrors {
                let lab = try VMCtl.Lab.load(plan, global)
                let ssh = try LabRunner(plan: lab).sshCommand(
                    toNode: node, user: user ?? lab.login.user, privateKey: identity ?? lab.login.privateKey, wait: wait)
                try execSSH(ssh, command: command)
            }
        }
    }
}
