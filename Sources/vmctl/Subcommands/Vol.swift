import ArgumentParser
import Foundation
import VMCtlKit

#if canImport(Glibc)
import Glibc
#endif

extension VMCtl {
    struct Vol: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vol",
            abstract: "Create, clone, resize and import storage volumes.",
            subcommands: [Create.self, List.self, Delete.self, Clone.self, Resize.self, Import.self]
        )
    }
}

extension VMCtl.Vol {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an empty (sparse) volume, or a qcow2 overlay with --backing.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool.") var pool: String
        @Argument(help: "The new volume's name.") var name: String
        @Option(help: "Capacity, e.g. 20G, 512M (default with --backing: the backing image's).") var size: String?
        @Option(help: "qcow2 (default) or raw.") var format: String?
        @Option(help: "Backing image: a volume path, or a volume name in the same pool.") var backing: String?

        func run() throws {
            try reportingErrors {
                let volume = try StorageService(connection: try global.target.open()).createVolume(
                    pool: pool, name: name, size: size, format: format, backing: backing)
                print(StorageOutput.volume(volume, action: "created", format: global.output))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a pool's volumes.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool.") var pool: String

        func run() throws {
            try reportingErrors {
                let volumes = try StorageService(connection: try global.target.open(readOnly: true)).listVolumes(pool: pool)
                print(StorageOutput.volumes(volumes, format: global.output))
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete a volume and its data; refused while a VM uses it or another volume is layered on it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool.") var pool: String
        @Argument(help: "The volume.") var name: String
        @Flag(help: "Delete it even though a VM or another volume still uses it.") var force = false

        func run() throws {
            try reportingErrors {
                let result = try StorageService(connection: try global.target.open()).deleteVolume(pool: pool, name: name, force: force)
                print(StorageOutput.action(result, format: global.output))
            }
        }
    }

    struct Clone: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "clone", abstract: "Copy a volume in full (no backing chain) within its pool.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool.") var pool: String
        @Argument(help: "The volume to copy.") var source: String
        @Argument(help: "The new volume's name.") var name: String

        func run() throws {
            try reportingErrors {
                let volume = try StorageService(connection: try global.target.open()).cloneVolume(pool: pool, source: source, name: name)
                print(StorageOutput.volume(volume, action: "cloned", format: global.output))
            }
        }
    }

    struct Resize: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resize", abstract: "Grow a volume (shrink only with --shrink).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool.") var pool: String
        @Argument(help: "The volume.") var name: String
        @Argument(help: "The new capacity, e.g. 40G.") var size: String
        @Flag(help: "Allow a smaller size; data past the new end is lost.") var shrink = false

        func run() throws {
            try reportingErrors {
                let volume = try StorageService(connection: try global.target.open()).resizeVolume(
                    pool: pool, name: name, size: size, shrink: shrink)
                print(StorageOutput.volume(volume, action: "resized", format: global.output))
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Upload a local image file (qcow2 or raw) into a pool as a new volume.",
            discussion: "The format and virtual size come from qemu-img info. Needs a local libvirt.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool.") var pool: String
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
