import ArgumentParser
import Libvirt
import VMCtlKit

let vmctlVersion = VersionReport.vmctlVersion

extension VMCtl {
    struct Version: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "version", abstract: "Show vmctl's, libvirt's and the hypervisor's versions.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Do not connect to a daemon; show only vmctl's and the library's versions.")
        var local = false

        func run() throws {
            try reportingErrors {
                let report = try VersionReport.gather(target: global.target, connect: !local)
                print(global.output == .json ? renderJSON(report) : report.text)
            }
        }
    }
}
