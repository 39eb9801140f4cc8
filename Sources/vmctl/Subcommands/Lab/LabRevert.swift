import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Lab {
    struct Revert: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revert",
            abstract: "Bring every node of the lab back to a checkpoint together, set the guests' clocks, and wait until they answer.",
            discussion: "Docs/labs.md, Checkpoints.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument
        @Argument(help: "The checkpoint's name.") var name: String

        func run() throws {
            try reportingErrors {
                let runner = LabRunner(plan: try VMCtl.Lab.load(plan, global), progress: global.progress)
                global.emit(try runner.revert(to: name), text: LabCheckpointOutput.reverted)
            }
        }
    }
}
