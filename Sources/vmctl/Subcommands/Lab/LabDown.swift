import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Lab {
    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "down",
            abstract: "Remove exactly what the lab created: its VMs, their volumes and its networks; never shared images or pools.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The lab plan (YAML), or the lab's name.", completion: .file(extensions: ["yaml", "yml"])) var lab: String
        @OptionGroup var parameters: PlanParameterOptions
        @Flag(help: "Leave the lab's networks in place.") var keepNetworks = false

        func run() throws {
            try reportingErrors {
                let removed: [String]
                let name: String
                if FileManager.default.fileExists(atPath: lab) {
                    let plan = try VMCtl.Lab.load(lab, parameters, global)
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
}
