import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Clone: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clone",
            abstract: "Clone a VM: new name, UUID and MACs, and a linked (copy-on-write) or full copy of each writable disk.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM to clone (name or UUID).", completion: .names(.vms(.all))) var source: String
        @Argument(help: "The new VM's name (with --count N: NAME-1 … NAME-N).") var name: String
        @Flag(help: "Linked clone (default) or full copy.") var mode: CloneModeFlag = .linked
        @Option(help: "How many clones.") var count = 1
        @Flag(help: "With --full: pause a running source while its disks are copied.") var suspendSource = false
        @Flag(help: "Start the clones.") var start = false
        @Flag(help: "Share the source's cloud-init seed: the clone keeps its host name, instance-id, SSH host keys and machine-id.")
        var keepIdentity = false
        @OptionGroup var waiting: WaitOptions

        func run() throws {
            try reportingErrors {
                let waitStage = try waiting.stage()
                let connection = try global.target.open()
                var cloner = VMCloner(connection: connection, progress: global.progress)
                let quiet = global.quiet
                cloner.copyProgress = { label in TransferLine.meter(label, quiet: quiet).map { meter in meter.update } }
                let result = try cloner.clone(
                    source: source, as: name, mode: mode == .full ? .full : .linked, count: count,
                    suspendSource: suspendSource, start: start || waitStage != nil, keepIdentity: keepIdentity)
                let clones = try result.clones.map { clone in try VMLifecycle(connection: connection).domain(nameOrUUID: clone) }
                _ = try waiting.waitIfAsked(clones, on: connection, progress: global.progress)
                global.emit(result) {
                    "cloned \($0.source) to \($0.clones.joined(separator: ", ")) (\($0.mode.rawValue)\($0.newIdentity ? ", each with its own identity" : ""))"
                }
            }
        }
    }
}
