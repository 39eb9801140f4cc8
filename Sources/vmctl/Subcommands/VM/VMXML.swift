import ArgumentParser
import Foundation
import LibvirtXML
import VMCtlKit

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
