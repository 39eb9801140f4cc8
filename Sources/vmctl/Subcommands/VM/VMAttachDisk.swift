import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct AttachDisk: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "attach-disk", abstract: "Attach an existing image, or a new empty volume, as a virtio disk.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Option(help: "An existing image: POOL/VOLUME, VOLUME (in --pool) or an absolute path.") var source: String?
        @Option(help: "The size of a new qcow2 volume that vmctl creates (and vm delete removes).") var size: String?
        @Option(help: "The pool of a new volume, or of --source VOLUME.") var pool = "default"
        @Option(help: "The guest device (default: the first free of vdb … vdz).") var target: String?
        @Flag(help: "Attach it read-only.") var readonly = false
        @OptionGroup var scope: ChangeScopeOptions

        func run() throws {
            try reportingErrors {
                let request = VMDevices.DiskRequest(source: source, size: size, pool: pool, target: target, readOnly: readonly,
                                                    live: scope.live, config: scope.config)
                let result = try VMDevices(connection: global.target.open(), progress: global.progress).attachDisk(vm.name, request)
                global.emit(result, text: VMChangeResult.renderText)
            }
        }
    }
}
