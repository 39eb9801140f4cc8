import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct SCP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scp",
            abstract: "Copy files to or from a VM over SSH; write the VM's side as NAME:PATH.",
            discussion: """
                Either every source is on this machine and the destination in a VM (vmctl vm scp ./app.tar web1:/tmp/), \
                or every source is in one VM and the destination here (vmctl vm scp web1:/var/log/syslog .). \
                The address, user and key are found as for vm ssh; the exit status is scp's.
                """)
        @OptionGroup var global: GlobalOptions
        @Flag(name: .shortAndLong, help: "Copy folders and what they hold.") var recursive = false
        @Option(name: .shortAndLong, help: "Log in as this user (default: the one recorded at create time).") var user: String?
        @Option(name: [.customShort("i"), .long], help: "The private key (default: the one recorded at create time).") var identity: String?
        @Option(help: "Wait up to this many seconds for an address.") var wait: Double?
        @Argument(help: "Sources, then the destination.") var paths: [String] = []

        func run() throws {
            try reportingErrors {
                let copy = try GuestCopy(operands: paths, recursive: recursive)
                let connection = try global.target.open(readOnly: true)
                let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: copy.vm)
                let ssh = try GuestSSH(connection: connection).command(for: domain, user: user, privateKey: identity, wait: wait)
                try execReplacing("/usr/bin/scp", copy.scpArguments(ssh))
            }
        }
    }
}
