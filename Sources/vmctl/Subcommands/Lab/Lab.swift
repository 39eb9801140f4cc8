import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl {
    struct Lab: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lab",
            abstract: "Declare a whole lab in YAML, bring it up in parallel, report its status, tear it down.",
            discussion: "The plan format is in Docs/labs.md.",
            subcommands: [Up.self, Status.self, Down.self, Validate.self, Inventory.self, KollaGlobals.self, SSH.self])
    }
}

/// The plan file every lab command reads.
struct PlanArgument: ParsableArguments {
    @Argument(help: "The lab plan (YAML).") var plan: String
}

extension VMCtl.Lab {
    static func load(_ path: String, _ global: GlobalOptions) throws -> LabPlan {
        try LabPlan.load(path: path, defaultURI: global.target.assumedURI)
    }

    enum InventoryFormat: String, ExpressibleByArgument {
        case ansible, kolla
    }

}
