import ArgumentParser
import FoundationEssentials
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Lab {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Each node's role, host, state and addresses.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var plan: PlanArgument

        func run() throws {
            try reportingErrors {
                let status = try LabRunner(plan: VMCtl.Lab.load(plan, global)).status()
                global.emit(status, text: LabOutput.statusTable)
            }
        }
    }
}
