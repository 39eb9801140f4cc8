import Foundation
import Libvirt
import LibvirtXML
import Testing
@testable import VMCtlKit

/// Paths into the repository's Fixtures/ folder.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// A test-driver URI over the node file; each open gets private state.
    static var nodeURI: String { "test://" + root.appendingPathComponent("libvirt/test-node.xml").path }

    /// A fresh private test-driver connection.
    static func connection() throws -> Connection { try Connection(uri: nodeURI) }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    /// A host with eth0 at 192.0.2.2/24, a route to 10.16.0.0/16, and a bridge br-lab.
    static let host = HostNetworkState(
        addresses: [HostAddress(interface: "eth0", address: cidr("192.0.2.2/24"))],
        routes: [
            HostRoute(interface: "eth0", destination: cidr("0.0.0.0/0")),
            HostRoute(interface: "wg0", destination: cidr("10.16.0.0/16")),
        ],
        interfaces: ["lo": false, "eth0": false, "br-lab": true])
}

/// A subnet written in a test; a typo is a programmer error.
func cidr(_ text: String) -> IPNetwork { try! IPNetwork(cidr: text) }

/// The error `body` throws as vmctl reports it: message and exit status.
func vmctlError<T>(_ body: () throws(VMCtlError) -> T) -> (message: String, status: VMCtlKit.ExitStatus)? {
    do {
        _ = try body()
        return nil
    } catch {
        return (error.message, error.status)
    }
}

/// The built `vmctl` binary, beside the test bundle.
func vmctlBinary() -> URL {
    let buildDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var executable = buildDirectory.appendingPathComponent("vmctl")
    // The test bundle may sit one level deeper (…/vmctlPackageTests.xctest).
    if !FileManager.default.fileExists(atPath: executable.path) {
        executable = buildDirectory.deletingLastPathComponent().appendingPathComponent("vmctl")
    }
    return executable
}

/// Runs `vmctl` with `arguments`; returns exit status, stdout, stderr.
func runVMCtl(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
    try runProcess(vmctlBinary().path, arguments)
}

/// Compares `actual` with Fixtures/cli/`name`; with VMCTL_UPDATE_GOLDENS=1 rewrites the file instead.
func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = Fixture.root.appendingPathComponent("cli").appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["VMCTL_UPDATE_GOLDENS"] == "1" {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(actual == expected, "output differs from Fixtures/cli/\(name)", sourceLocation: sourceLocation)
}
