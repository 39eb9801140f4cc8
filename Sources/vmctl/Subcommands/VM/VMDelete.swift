import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Remove a VM and only the volumes vmctl created for it; never a shared base image or a volume another VM uses.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Flag(help: "Destroy the VM first if it is running.") var force = false

        func run() throws {
            try reportingErrors {
                let result = try VMDeleter(connection: try global.target.open(), progress: global.progress).delete(vm.name, force: force)
                global.emit(result) { result in
                    var text = "deleted \(result.name)"
                    if !result.deletedVolumes.isEmpty { text += " and volumes \(result.deletedVolumes.joined(separator: ", "))" }
                    if !result.keptVolumes.isEmpty { text += "; kept \(result.keptVolumes.joined(separator: ", "))" }
                    return text
                }
            }
        }
    }
}
