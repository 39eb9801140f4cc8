import ArgumentParser
import FoundationEssentials
import Libvirt
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Define: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "define", abstract: "Define a VM from a libvirt XML file (schema-validated).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Path to the domain XML.") var file: String

        func run() throws {
            try reportingErrors {
                let domain = try VMLifecycle(connection: global.target.open()).define(xmlFile: file)
                print("defined \(domain.name)")
            }
        }
    }
}
