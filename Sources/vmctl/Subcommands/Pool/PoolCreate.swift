import ArgumentParser
import VMCtlKit

extension VMCtl.Pool {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Define a pool, build its target and start it.",
            discussion: """
                dir: --target DIR. fs: --source-dev DEV --target MOUNTPOINT. netfs: --source-host H --source-path P --target MOUNTPOINT.
                logical: --source-name VG (an existing volume group), or --source-dev DEV to build one.
                Building never overwrites an existing file system or volume group.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name.") var name: String
        @Option(help: "dir, fs, netfs or logical.") var type: PoolKind
        @Option(help: "Target directory (dir), mount point (fs, netfs) or /dev/VG (logical).") var target: String?
        @Option(name: .customLong("source-dev"), help: "Block device (fs, logical).") var sourceDev: String?
        @Option(name: .customLong("source-host"), help: "NFS server (netfs).") var sourceHost: String?
        @Option(name: .customLong("source-path"), help: "Exported directory (netfs).") var sourcePath: String?
        @Option(name: .customLong("source-name"), help: "Volume group name (logical).") var sourceName: String?
        @Flag(help: "Start the pool with the host.") var autostart = false
        @Flag(name: .customLong("no-start"), help: "Define and build only; do not start.") var noStart = false

        func run() throws {
            try reportingErrors {
                let service = StorageService(connection: try global.target.open())
                let pool = try service.createPool(
                    PoolCreateRequest(
                        name: name, kind: type, target: target, sourceDevice: sourceDev, sourceHost: sourceHost,
                        sourcePath: sourcePath, sourceName: sourceName, autostart: autostart, start: !noStart))
                print(StorageOutput.pool(pool, action: "created", format: global.output))
            }
        }
    }
}
