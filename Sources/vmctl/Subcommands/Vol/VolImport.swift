import ArgumentParser
import FoundationEssentials
import VMCtlKit
import Glibc

extension VMCtl.Vol {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Upload a local image file (qcow2 or raw) into a pool as a new volume.",
            discussion: "The format and virtual size come from qemu-img info. Needs a local libvirt.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool.", completion: .names(.pools(.all))) var pool: String
        @Argument(help: "The image file.") var file: String
        @Option(help: "The volume's name (default: the file's name).") var name: String?
        @Option(help: "qcow2 or raw; must match what qemu-img detects.") var format: String?

        func run() throws {
            try reportingErrors {
                let service = StorageService(connection: try global.target.open())
                let meter = TransferLine.meter("importing \(file)", quiet: global.quiet)
                let volume = try service.importVolume(
                    pool: pool, file: file, name: name, format: format, progress: meter.map { meter in meter.update })
                print(StorageOutput.volume(volume, action: "imported", format: global.output))
            }
        }
    }
}
