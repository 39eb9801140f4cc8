import ArgumentParser
import FoundationEssentials
import HostCheck
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl {
    struct Host: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "host",
            abstract: "Check whether this host can run KVM guests and is prepared for a lab.",
            subcommands: [Check.self]
        )
    }
}

