import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Lab {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate", abstract: "Check a plan against its hosts, list every problem with its line, and say what lab up would do.",
            discussion: "Changes nothing. What lab validate refuses, lab up refuses before its first change.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument
        @Flag(help: "Check the plan file only, without connecting to its hosts.") var offline = false

        func run() throws {
            try reportingErrors {
                let lab = try VMCtl.Lab.load(plan, global)
                let changes = offline ? nil : try LabRunner(plan: lab).planChanges()
                global.emit(LabValidation(plan: lab, changes: changes)) { result in
                    var lines = ["\(plan.plan): lab \(lab.name) is valid: \(result.nodes) nodes, \(result.networks) networks"]
                    if result.checkedAgainstHosts {
                        lines += result.changes.isEmpty ? ["lab up would change nothing"] : result.changes.map { "lab up would: \($0)" }
                    }
                    return lines.joined(separator: "\n")
                }
            }
        }
    }
}
