// Lists every domain (name, UUID, state) through the Swift binding, one line
// each, like `virsh list --all`. Driven by Benchmarks/list-domains.sh.
// Usage: bench-list-domains URI
import Foundation
import Libvirt

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: bench-list-domains URI\n".utf8))
    exit(64)
}
do {
    let connection = try Connection(uri: CommandLine.arguments[1], readOnly: true)
    var output = ""
    for domain in try connection.domains() {
        output += "\(domain.name) \(try domain.uuid()) \(try domain.state().state)\n"
    }
    FileHandle.standardOutput.write(Data(output.utf8))
} catch {
    FileHandle.standardError.write(Data("bench-list-domains: \(error)\n".utf8))
    exit(1)
}
