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
            subcommands: [Up.self, Status.self, Down.self, Validate.self, Inventory.self, KollaGlobals.self, SSH.self,
                          Checkpoint.self, Revert.self, Checkpoints.self, Check.self])
    }
}

/// The plan file every lab command reads, and the values of its parameters.
struct PlanArgument: ParsableArguments {
    @Argument(help: "The lab plan (YAML).", completion: .file(extensions: ["yaml", "yml"])) var plan: String
    @OptionGroup var parameters: PlanParameterOptions
}

/// `-P NAME=VALUE` and `--param-file FILE`: values for the plan's `${NAME}` references (Docs/labs.md).
struct PlanParameterOptions: ParsableArguments {
    @Option(name: [.customShort("P"), .customLong("param")], help: ArgumentHelp("Set a plan parameter (repeatable; wins over --param-file).", valueName: "name=value"))
    var values: [String] = []
    @Option(name: .customLong("param-file"), help: ArgumentHelp("A YAML mapping of plan parameters to values (repeatable).", valueName: "file"),
            completion: .file(extensions: ["yaml", "yml"]))
    var files: [String] = []
}

extension VMCtl.Lab {
    static func load(_ plan: PlanArgument, _ global: GlobalOptions) throws -> LabPlan {
        try load(plan.plan, plan.parameters, global)
    }

    static func load(_ path: String, _ parameters: PlanParameterOptions, _ global: GlobalOptions) throws -> LabPlan {
        let overrides = try PlanParameters.Overrides(arguments: parameters.values, files: parameters.files)
        return try LabPlan.load(path: path, defaultURI: global.target.assumedURI, parameters: overrides)
    }

    enum InventoryFormat: String, ExpressibleByArgument {
        case ansible, kolla
    }

}
