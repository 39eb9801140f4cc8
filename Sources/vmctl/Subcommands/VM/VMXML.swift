import ArgumentParser
import FoundationEssentials
import Libvirt
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct XML: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "xml", abstract: "Print a VM's libvirt XML.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Flag(help: "The persistent definition rather than the running one.") var inactive = false

        func run() throws {
            try reportingErrors {
                let domain = try VMLifecycle(connection: try global.target.open(readOnly: true)).domain(nameOrUUID: vm.name)
                let xml = try libvirtCall("reading '\(vm.name)'") { try domain.xml(inactive ? [.inactive] : []) }
                print(xml, terminator: xml.hasSuffix("\n") ? "" : "\n")
            }
        }
    }
}
