import ArgumentParser
import VMCtlKit

extension VMCtl.Snapshot {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a VM's snapshots.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM (name or UUID).", completion: .names(.vms(.all))) var vm: String

        func run() throws {
            try reportingErrors {
                let entries = try SnapshotService(connection: global.target.open(readOnly: true)).list(vm: vm)
                global.emit(["snapshots": entries]) { value in
                    renderTable(header: ["NAME", "CURRENT", "DESCRIPTION"], rows: (value["snapshots"] ?? []).map {
                        [$0.name, $0.current ? "yes" : "", $0.description ?? ""]
                    })
                }
            }
        }
    }
}
