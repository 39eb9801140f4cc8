import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Lab {
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
                let status = try LabRunner(plan: VMCtl.Lab.load(plan, global)).status()
                switch (format, multinode) {
                case (.ansible, _):
                    print(try AnsibleInventory.render(status), terminator: "")
                case (.kolla, nil):
                    print(try KollaInventory.render(status), terminator: "")
                case (.kolla, let path?):
                    let original = try InputFile.readText(
                        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path, field: .option("--multinode"))
                    let edited = try KollaInventory.edit(multinode: original, status: status)
                    do { try edited.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                        throw VMCtlError("writing \(path): \(describeFileError(error))")
                    }
                    print("updated the control, network, compute, monitoring, storage and deployment groups of \(path)")
                }
            }
        }
    }
}
