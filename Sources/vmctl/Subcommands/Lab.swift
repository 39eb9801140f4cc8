import ArgumentParser
import Foundation
import VMCtlKit

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

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate", abstract: "Check a plan against its hosts, list every problem with its line, and say what lab up would do.",
            discussion: "Changes nothing. What lab validate refuses, lab up refuses before its first change.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument
        @Flag(help: "Check the plan file only, without connecting to its hosts.") var offline = false

        func run() throws {
            try reportingErrors {
                let lab = try VMCtl.Lab.load(plan.plan, global)
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

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "up",
            abstract: "Create what is missing (networks, pools, images, VMs), start the nodes in parallel and wait until they are ready.",
            discussion: "A second run changes nothing and says so; drift from the plan is reported, not changed.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument
        @Flag(help: "Fail instead of falling back to qemu when KVM cannot run guests.") var requireKVM = false

        func run() throws {
            try reportingErrors {
                let lab = try VMCtl.Lab.load(plan.plan, global)
                let progress: any ProgressReporter = global.quiet ? SilentProgress() : LiveProgress.forStderr()
                let result = try LabRunner(plan: lab, progress: progress).up(requireKVM: requireKVM)
                global.emit(result) { result in
                    var lines = result.changes.isEmpty ? ["lab \(lab.name): no changes"] : result.changes
                    lines += result.drift.map { "drift: \($0)" }
                    lines += result.readiness.map { "ready: \($0.summary)" }
                    lines.append(LabOutput.statusTable(result.status))
                    return lines.joined(separator: "\n")
                }
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Each node's role, host, state and addresses.")
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
            commandName: "down",
            abstract: "Remove exactly what the lab created: its VMs, their volumes and its networks; never shared images or pools.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The lab plan (YAML), or the lab's name.") var lab: String
        @Flag(help: "Leave the lab's networks in place.") var keepNetworks = false

        func run() throws {
            try reportingErrors {
                let removed: [String]
                let name: String
                if FileManager.default.fileExists(atPath: lab) {
                    let plan = try VMCtl.Lab.load(lab, global)
                    name = plan.name
                    removed = try LabRunner(plan: plan, progress: global.progress).down(keepNetworks: keepNetworks)
                } else {
                    name = lab
                    removed = try LabTeardown.down(lab: lab, defaultURI: global.connect, keepNetworks: keepNetworks, progress: global.progress)
                }
                global.emit(["removed": removed]) { value in
                    let list = value["removed"] ?? []
                    return list.isEmpty ? "lab \(name): nothing to remove" : list.map { "removed \($0)" }.joined(separator: "\n")
                }
            }
        }
    }

    struct Inventory: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inventory",
            abstract: "Write an Ansible or kolla-ansible inventory from the lab's nodes and addresses.",
            discussion: "With --multinode FILE, edits a copy of kolla's multinode file in place, replacing only its six top groups.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument
        @Option(help: "ansible (groups from roles) or kolla (kolla-ansible's top groups).") var format: InventoryFormat = .ansible
        @Option(help: "A copy of kolla-ansible's multinode file to edit in place (with --format kolla).") var multinode: String?

        func validate() throws {
            if multinode != nil && format != .kolla { throw ValidationError("--multinode: needs --format kolla") }
        }

        func run() throws {
            try reportingErrors {
                let status = try LabRunner(plan: VMCtl.Lab.load(plan.plan, global)).status()
                switch (format, multinode) {
                case (.ansible, _):
                    print(try AnsibleInventory.render(status), terminator: "")
                case (.kolla, nil):
                    print(try KollaInventory.render(status), terminator: "")
                case (.kolla, let path?):
                    let original = try InputFile.readText(
                        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path, field: "--multinode")
                    let edited = try KollaInventory.edit(multinode: original, status: status)
                    do { try edited.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                        throw VMCtlError("writing \(path): \(error.localizedDescription)")
                    }
                    print("updated the control, network, compute, monitoring, storage and deployment groups of \(path)")
                }
            }
        }
    }

    enum InventoryFormat: String, ExpressibleByArgument {
        case ansible, kolla
    }

    struct KollaGlobals: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kolla-globals",
            abstract: "globals.yml overrides for kolla-ansible: interfaces, a free VIP, nova_compute_virt_type, cinder.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument
        @Option(help: "The lab network whose NIC is network_interface (default: the first NIC's).") var managementNetwork: String?
        @Option(help: "The lab network whose NIC is neutron_external_interface (default: the second NIC's).") var externalNetwork: String?

        func run() throws {
            try reportingErrors {
                let status = try LabRunner(plan: VMCtl.Lab.load(plan.plan, global)).status()
                let globals = try VMCtlKit.KollaGlobals.render(status, managementNetwork: managementNetwork, externalNetwork: externalNetwork)
                print(globals.yaml, terminator: globals.yaml.hasSuffix("\n") ? "" : "\n")
            }
        }
    }
}
