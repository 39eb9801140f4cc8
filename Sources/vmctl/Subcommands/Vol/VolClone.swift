import ArgumentParser
import FoundationEssentials
import VMCtlKit
import Glibc

extension VMCtl.Vol {
    struct Clone: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "clone", abstract: "Copy a volume in full (no backing chain) within its pool.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool.", completion: .names(.pools(.all))) var pool: String
        @Argument(help: "The volume to copy.", completion: .names(.volumes)) var source: String
        @Argument(help: "The new volume's name.") var name: String

        func run() throws {
            try reportingErrors {
                let volume = try StorageService(connection: try global.target.open()).cloneVolume(pool: pool, source: source, name: name)
                print(StorageOutput.volume(volume, action: "cloned", format: global.output))
            }
        }
    }
}
