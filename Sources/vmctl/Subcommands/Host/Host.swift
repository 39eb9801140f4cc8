import ArgumentParser
import Foundation
import HostCheck
import VMCtlKit

extension VMCtl {
    struct Host: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "host",
            abstract: "Check whether this host can run KVM guests and is prepared for a lab.",
            subcommands: [Check.self]
        )
    }
}

