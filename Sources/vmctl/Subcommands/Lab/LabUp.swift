import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Lab {
    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "up",
            abstract: "Create what is missing (networks, pools, images, VMs), start the nodes in parallel and wait until they are ready.",
            discussion: "A second run changes nothing and says so; drift from the plan is reported, not changed.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument
        @Flag(help: "Fail instead of falling back to qemu when KVM cannot run guests.") var requireKVM = false
        @Option(help: "Guests booting at once per host at most (default: one per core under TCG, all under KVM).") var maxBooting: Int?

        func validate() throws {
            if let maxBooting, !(1...256).contains(maxBooting) { throw ValidationError("--max-booting: must be 1 to 256") }
        }

        func run() throws {
            try reportingErrors {
                let lab = try VMCtl.Lab.load(plan, global)
                let progress: any ProgressReporter = global.quiet ? SilentProgress() : LiveProgress.forStderr()
                let result = try LabRunner(plan: lab, progress: progress).up(requireKVM: requireKVM, maxBooting: maxBooting)
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
}
