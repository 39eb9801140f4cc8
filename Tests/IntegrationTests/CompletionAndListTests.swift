import Foundation
import Libvirt
import LibvirtXML
import Testing
import VMCtlKit

/// Completion names and `vm list` filters on the real libvirtd: a shut-off VM
/// of this scope is offered to `vm start`, not to `vm stop`, and listed by
/// `--state shut-off` with a name glob. Other suites' VMs come and go
/// meanwhile, so only this scope's names are compared.
@Suite(.enabled(if: Daemon.enabled)) struct IntegrationCompletionAndListTests {
    /// What `vmctl -c qemu:///system vm VERB <TAB>` offers: the request the generated scripts make.
    func offered(_ verb: String) async throws -> [String] {
        let words = ["vmctl", "-c", Daemon.uri, "vm", verb, ""]
        let result = try await runOffThePool(
            vmctlBinary(), ["---completion", "vm", verb, "--", "positional@0", "5", "0"] + words, timeout: 60)
        #expect(result.status == 0, "\(result.errors)")
        return result.output.split(separator: "\n").map(String.init)
    }

    @Test func aShutOffVMIsOfferedToStartAndListedByState() async throws {
        let scope = try TestScope("complh")
        scope.clean()
        defer { scope.clean() }
        let name = scope.name("off")
        _ = try scope.connection.defineDomain(xml: try DomainDefinition(type: .qemu, name: ObjectName(name), memory: .mib(64)).xml())

        #expect(try await offered("start").filter { $0.hasPrefix(scope.prefix) } == [name])
        #expect(try await offered("stop").filter { $0.hasPrefix(scope.prefix) } == [])
        #expect(try await offered("delete").filter { $0.hasPrefix(scope.prefix) } == [name])

        let list = { (state: String) async throws -> (status: Int32, output: String, errors: String) in
            try await runOffThePool(vmctlBinary(), ["vm", "list", "-c", Daemon.uri, "--state", state, "--name", scope.prefix + "*", "-o", "json"],
                                    timeout: 60)
        }
        let shutOff = try await list("shut-off")
        #expect(shutOff.status == 0, "\(shutOff.errors)")
        let rows = (try JSONSerialization.jsonObject(with: Data(shutOff.output.utf8)) as? [String: Any])?["vms"] as? [[String: Any]]
        #expect(rows?.compactMap { $0["name"] as? String } == [name])
        let running = try await list("running")
        #expect(running.output.contains(name) == false, "\(running.output)")
    }
}
