import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct SSH: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ssh",
            abstract: "Log in to a VM over SSH, or run a command there; the exit status is the remote command's.",
            discussion: "The address comes from the lease table, the guest agent or ARP; the user and key from what vmctl recorded at create time. The guest's host key is checked strictly against the one vmctl made for it (vmctl's own known_hosts); a guest presenting another key is refused.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: ActiveVMName
        @Option(name: .shortAndLong, help: "Log in as this user (default: the one recorded at create time).") var user: String?
        @Option(name: [.customShort("i"), .long], help: "The private key (default: the one recorded at create time).") var identity: String?
        @Option(help: "Wait up to this many seconds for an address.") var wait: Double?
        @Argument(parsing: .postTerminator, help: "The command to run (after --).") var command: [String] = []

        func run() throws {
            try reportingErrors {
                let connection = try global.target.open(readOnly: true)
                let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: vm.name)
                let ssh = try GuestSSH(connection: connection).command(for: domain, user: user, privateKey: identity, wait: wait)
                try execSSH(ssh, command: command)
            }
        }
    }
}

/// Replaces vmctl with ssh, so the terminal, signals and the exit status are ssh's.
func execSSH(_ ssh: SSHCommand, command: [String]) throws(VMCtlError) -> Never {
    try execReplacing(ssh.executable, ssh.arguments(remote: command, batch: !command.isEmpty || isatty(STDIN_FILENO) == 0))
}

/// Replaces vmctl with an OpenSSH client (`execv`); returns only by throwing when it cannot run.
func execReplacing(_ executable: String, _ arguments: [String]) throws(VMCtlError) -> Never {
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    execv(executable, argv)
    throw VMCtlError("cannot run \(executable): \(String(cString: strerror(errno))) (install openssh-client)")
}
