import ArgumentParser
import VMCtlKit

extension VMCtl.Pool {
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
}
