import Foundation
import Libvirt
import LibvirtXML
import Testing
@testable import VMCtlKit

/// `net create` and `lab up` make a network through one apply path
/// (`NetworkService.apply`), and `pool create` and `lab up` a pool through
/// one (`StorageService.apply`): the same order (autostart set before the
/// start) and the same rollback (a failed start leaves no definition, and
/// says so). A command that stops using the one path, or a path that changes
/// its order or rollback, fails here for both commands. On the test driver.
@Suite(.serialized) struct ApplyPathTests {
    /// Whether each object had autostart set when its start was called.
    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [String: Bool] = [:]
        func record(_ name: String, _ autostart: Bool) {
            lock.lock()
            values[name] = autostart
            lock.unlock()
        }
        var autostartAtStart: [String: Bool] {
            lock.lock()
            defer { lock.unlock() }
            return values
        }
    }

    static let forced = LibvirtError(code: .operationFailed, message: "forced start failure")

    /// A one-node lab on the fixture node, with `extra` (a network or a pool), in a temporary serial directory.
    func labRunner(_ lab: String, extra: String) throws -> LabRunner {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-\(lab)-\(UUID().uuidString)").path
        let text = """
            lab: \(lab)
            serial_dir: \(root)/serial
            \(extra)
            nodes:
              - {name: n1, disk_size: 16M, pool: lab-pool}
            """
        return LabRunner(plan: try LabPlan.parse(text, file: "p", defaultURI: Fixture.nodeURI))
    }

    @Test func netCreateAndLabUpApplyANetworkAlike() throws {
        let seen = Seen()
        let lab = "vmctl-test-h20-applynet"
        defer { LabState.remove(lab: lab) }
        let runner = try labRunner(lab, extra: "networks: [{name: net, subnet: 10.251.37.0/24}]")
        let service = NetworkService(connection: try Fixture.connection(), host: { HostNetworkState() })
        let failing: @Sendable (Network) throws -> Void = { network in
            seen.record(network.name, try network.autostart())
            throw Self.forced
        }
        let (netCreate, labUp) = NetworkService.$startOverride.withValue(failing) {
            (vmctlError { () throws(VMCtlError) in
                _ = try service.create(NetworkCreateRequest(name: "applied", mode: .nat, subnet: "10.251.38.0/24", autostart: true))
            },
             vmctlError { () throws(VMCtlError) in _ = try runner.up() })
        }
        let rule = "failed, so its definition was removed: forced start failure (libvirt error operation-failed, code 9)"
        #expect(netCreate?.message == "starting network 'applied' \(rule)")
        #expect(labUp?.message == "starting network '\(lab)-net' \(rule)")
        // The same order: autostart is set before the start, by both.
        #expect(seen.autostartAtStart == ["applied": true, "\(lab)-net": true])
        // The same rollback: neither definition stays.
        let netGone = #expect(throws: LibvirtError.self) { try service.connection.network(named: "applied") }
        #expect(netGone?.code == .noNetwork)
        let labGone = #expect(throws: LibvirtError.self) { try runner.connection("local").network(named: "\(lab)-net") }
        #expect(labGone?.code == .noNetwork)
    }

    @Test func poolCreateAndLabUpApplyAPoolAlike() throws {
        let seen = Seen()
        let lab = "vmctl-test-h20-applypool"
        defer { LabState.remove(lab: lab) }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-\(lab)-\(UUID().uuidString)").path
        let runner = try labRunner(lab, extra: "pools: [{name: newp, target: \(root)/newp}]")
        let service = StorageService(connection: try Fixture.connection())
        let failing: @Sendable (StoragePool) throws -> Void = { pool in
            seen.record(pool.name, try pool.autostart())
            throw Self.forced
        }
        let (poolCreate, labUp) = StorageService.$startOverride.withValue(failing) {
            (vmctlError { () throws(VMCtlError) in
                _ = try service.createPool(PoolCreateRequest(name: "applied", kind: .dir, target: "\(root)/applied", autostart: true))
            },
             vmctlError { () throws(VMCtlError) in _ = try runner.up() })
        }
        let rule = "failed, so its definition was removed: forced start failure (libvirt error operation-failed, code 9)"
        #expect(poolCreate?.message == "starting pool 'applied' \(rule)")
        #expect(labUp?.message == "starting pool 'newp' \(rule)")
        #expect(seen.autostartAtStart == ["applied": true, "newp": true])
        let poolGone = #expect(throws: LibvirtError.self) { try service.connection.storagePool(named: "applied") }
        #expect(poolGone?.code == .noStoragePool)
        let labGone = #expect(throws: LibvirtError.self) { try runner.connection("local").storagePool(named: "newp") }
        #expect(labGone?.code == .noStoragePool)
    }
}
