import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Lab {
    struct Checkpoint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            abstract: "Save every node of the lab at one instant (memory and all disks), or delete a checkpoint with --delete.",
            discussion: "Running nodes are all paused, each is snapshotted, then all resume; a failure on any node removes the snapshots already taken. Docs/labs.md, Checkpoints.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument
        @Argument(help: "The checkpoint's name.") var name: String
        @Flag(help: "Delete the checkpoint from every node instead.") var delete = false

        func run() throws {
            try reportingErrors {
                let runner = LabRunner(plan: try VMCtl.Lab.load(plan, global), progress: global.progress)
                if delete {
                    let deleted = try runner.deleteCheckpoint(name)
                    global.emit(["deleted": deleted]) { _ in "lab \(runner.plan.name): checkpoint \(name) deleted from \(deleted.count) node(s)" }
                    return
                }
                let checkpoint = try runner.checkpoint(name)
                global.emit(checkpoint, text: LabCheckpointOutput.taken)
            }
        }
    }
}
