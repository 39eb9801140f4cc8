// Prints a one-line summary of each domain of the URI given, and shows how a
// caller matches a libvirt error code. Uses only vmctl's public API.
import Foundation
import Libvirt
import VMCtlKit

func summarize(uri: String) throws {
    let connection = try Connection(uri: uri, readOnly: true)
    let vms = try VMInventory.list(connection)
    print("\(vms.count) domains on \(try connection.uri()) (\(try connection.hypervisorType()))")
    for vm in vms { print("  \(vm.name): \(vm.state)") }
    do {
        _ = try connection.domain(named: "no-such-domain")
        print("error: a missing domain was found")
        exit(1)
    } catch LibvirtError.Code.noDomain {
        // Every error the binding throws is a LibvirtError with libvirt's own code;
        // any other one propagates.
        print("lookup of a missing domain throws .noDomain, as documented")
    }
}

do {
    try summarize(uri: CommandLine.arguments.dropFirst().first ?? "test:///default")
} catch {
    FileHandle.standardError.write(Data("vmctl-consumer: \(error)\n".utf8))
    exit(1)
}
