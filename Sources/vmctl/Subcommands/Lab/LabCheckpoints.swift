import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Lab {
    struct Checkpoints: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoints", abstract: "List the lab's checkpoints, oldest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument

        func run() throws {
            try reportingErrors {
                let runner = LabRunner(plan: try VMCtl.Lab.load(plan, global), progress: global.progress)
                global.emit(runner.checkpoints(), text: LabCheckpointOutput.table)
            }
        }
    }
}
