import ArgumentParser
import FoundationEssentials
import HostCheck
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.Host {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "CPU extensions, KVM modules, /dev/kvm, working KVM, services and host preparation.",
            discussion: "Exit status 0 with no FAIL, 1 with a FAIL. See Docs/host-check.md.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Check an offline copy of a host rooted here; live-only checks SKIP.")
        var root: String = "/"

        @Flag(help: "Skip the two KVM probes (kernel vCPU run and QEMU boot).")
        var noProbes = false

        func validate() throws {
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory else {
                throw ValidationError("--root: '\(root)' is not a directory")
            }
        }

        func run() throws {
            let uri = global.target.assumedURI
            let options = HostCheckOptions(root: root, uri: uri, runProbes: !noProbes)
            let report = HostChecker(options: options, hypervisor: LibvirtHypervisorProbe()).run()
            if global.output == .json {
                print(report.renderJSON(), terminator: report.renderJSON().hasSuffix("\n") ? "" : "\n")
            } else {
                let table = report.renderTable(color: HostReport.shouldUseColor())
                print(table, terminator: table.hasSuffix("\n") ? "" : "\n")
            }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }
}
