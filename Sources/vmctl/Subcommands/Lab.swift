import ArgumentParser
import Foundation
import VMCtlKit

extension VMCtl {
    struct Lab: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Declare a whole lab in YAML, bring it up in parallel, report its status, tear it down.",
            discussion: "The plan format is in Docs/labs.md.",
            subcommands: [Up.self, Status.self, Down.self, Validate.self])
    }
}

/// The plan file every lab command reads.
struct PlanArgument: ParsableArguments {
    @Argument(help: "The lab plan (YAML).") var plan: String
}

extension VMCtl.Lab {
    static func load(_ path: String, _ global: GlobalOptions) throws -> LabPlan {
        let uri = global.connect ?? ProcessInfo.processInfo.environment["LIBVIRT_DEFAULT_URI"] ?? "qemu:///system"
        return try LabPlan.load(path: path, defaultURI: uri)
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a plan and list every problem with its line.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument

        func run() throws {
            try reportingErrors {
                let lab = try VMCtl.Lab.load(plan.plan, global)
                print("\(plan.plan): lab \(lab.name) is valid: \(lab.nodes.count) nodes, \(lab.networks.count) networks")
            }
        }
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create what is missing (networks, pools, images, VMs), start the nodes in parallel and wait for their addresses.",
            discussion: "A second run changes nothing and says so; drift from the plan is reported, not changed.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument
        @Flag(help: "Fail instead of falling back to qemu when KVM cannot run guests.") var requireKVM = false

        func run() throws {
            try reportingErrors {
                let lab = try VMCtl.Lab.load(plan.plan, global)
                let result = try LabRunner(plan: lab, progress: global.progress).up(requireKVM: requireKVM)
                global.emit(result) { result in
                    var lines = result.changes.isEmpty ? ["lab \(lab.name): no changes"] : result.changes
                    lines += result.drift.map { "drift: \($0)" }
                    lines.append(LabOutput.statusTable(result.status))
                    return lines.joined(separator: "\n")
                }
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each node's role, host, state and addresses.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument

        func run() throws {
            try reportingErrors {
                let status = try LabRunner(plan: VMCtl.Lab.load(plan.plan, global)).status()
                global.emit(status, text: LabOutput.statusTable)
            }
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove exactly what the lab created: its VMs, their volumes and its networks; never shared images or pools.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument
        @Flag(help: "Leave the lab's networks in place.") var keepNetworks = false

        func run() throws {
            try reportingErrors {
                let lab = try VMCtl.Lab.load(plan.plan, global)
                let removed = try LabRunner(plan: lab, progress: global.progress).down(keepNetworks: keepNetworks)
                global.emit(["removed": removed]) { value in
                    let list = value["removed"] ?? []
                    return list.isEmpty ? "lab \(lab.name): nothing to remove" : list.map { "removed \($0)" }.joined(separator: "\n")
                }
            }
        }
    }
}
