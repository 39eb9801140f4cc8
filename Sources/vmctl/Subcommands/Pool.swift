import ArgumentParser
import VMCtlKit

extension VMCtl {
    struct Pool: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pool",
            abstract: "Create and manage storage pools: directories, file systems, NFS, LVM.",
            subcommands: [Create.self, List.self, Show.self, Start.self, Stop.self, Refresh.self, Delete.self]
        )
    }
}

extension PoolKind: ExpressibleByArgument {}

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

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List pools: state, target, space and volume count.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try reportingErrors {
                let pools = try StorageService(connection: try global.target.open(readOnly: true)).listPools()
                print(StorageOutput.pools(pools, format: global.output))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one pool: source, target, space and volumes.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name.") var name: String

        func run() throws {
            try reportingErrors {
                let detail = try StorageService(connection: try global.target.open(readOnly: true)).showPool(name)
                print(StorageOutput.detail(detail, format: global.output))
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a defined pool.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name.") var name: String

        func run() throws {
            try reportingErrors {
                print(StorageOutput.action(try StorageService(connection: try global.target.open()).startPool(name), format: global.output))
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a pool; its volumes stay on disk.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name.") var name: String

        func run() throws {
            try reportingErrors {
                print(StorageOutput.action(try StorageService(connection: try global.target.open()).stopPool(name), format: global.output))
            }
        }
    }

    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "refresh", abstract: "Rescan a running pool's target for volumes.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name.") var name: String

        func run() throws {
            try reportingErrors {
                print(StorageOutput.action(try StorageService(connection: try global.target.open()).refreshPool(name), format: global.output))
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Stop and undefine a pool; volumes stay on disk.",
            discussion: "With --delete-data, also remove the pool's storage (the target directory), which must hold no volumes.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name.") var name: String
        @Flag(name: .customLong("delete-data"), help: "Also delete the (empty) target directory.") var deleteData = false

        func run() throws {
            try reportingErrors {
                let result = try StorageService(connection: try global.target.open()).deletePool(name, deleteData: deleteData)
                print(StorageOutput.action(result, format: global.output))
            }
        }
    }
}
