import Foundation
import Libvirt
import Testing

@Suite struct ConnectionTests {
    @Test func readsHostAndDriverFacts() throws {
        let connection = try Fixture.connection()
        #expect(try connection.hypervisorType() == "TEST")
        #expect(try connection.uri() == Fixture.nodeURI)
        #expect(try !connection.hostname().isEmpty)
        #expect(try connection.libraryVersion() >= Version(major: 9, minor: 0, release: 0))
        #expect(try Library.version() >= Version(major: 9, minor: 0, release: 0))
        #expect(try connection.hypervisorVersion().major >= 0)
        let node = try connection.nodeInfo()
        #expect(node.cpus == 4)
        #expect(node.mhz == 2600)
        #expect(node.memoryKiB == 16_777_216)
        #expect(node.model == "x86_64")
        #expect(try connection.isAlive())
        #expect(try connection.isSecure())
    }

    @Test func capabilitiesAreXML() throws {
        let connection = try Fixture.connection()
        let capabilities = try connection.capabilitiesXML()
        #expect(capabilities.contains("<capabilities>"))
        #expect(capabilities.contains("<guest>"))
    }

    @Test func keepaliveIsRefusedOnInProcessDriver() throws {
        let connection = try Fixture.connection()
        // The in-process test driver has no RPC link to keep alive.
        #expect(errorCode { try connection.setKeepAlive(interval: 5, count: 3) } == .noSupport)
    }

    @Test func readOnlyConnectionRefusesWrites() throws {
        let connection = try Connection(uri: Fixture.nodeURI, readOnly: true)
        #expect(try connection.domains().count == 3)
        let error = #expect(throws: LibvirtError.self) {
            try connection.defineDomain(xml: domainXML(named: "ro-attempt"))
        }
        #expect(error?.code == .operationDenied)
    }

    @Test func defaultURIComesFromEnvironment() throws {
        // libvirt reads LIBVIRT_DEFAULT_URI itself when no URI is given.
        setenv("LIBVIRT_DEFAULT_URI", "test:///default", 1)
        defer { unsetenv("LIBVIRT_DEFAULT_URI") }
        let connection = try Connection()
        #expect(try connection.uri() == "test:///default")
    }

    @Test func unreachableDaemonThrowsWithLibvirtsMessage() throws {
        let uri = "qemu+unix:///system?socket=/nonexistent/vmctl-test.sock"
        let error = #expect(throws: LibvirtError.self) { try Connection(uri: uri) }
        #expect(error?.code == .systemError)
        #expect(error?.message.contains("/nonexistent/vmctl-test.sock") == true)
        #expect(error?.description.contains("code \(LibvirtError.Code.systemError.rawValue)") == true)
    }

    @Test func closeIsIdempotent() throws {
        let connection = try Fixture.connection()
        let domain = try connection.domain(named: "lab-controller")
        connection.close()
        connection.close()
        // Objects keep libvirt's own reference to the connection.
        #expect(domain.name == "lab-controller")
    }
}

@Suite struct OffloadTests {
    @Test func offloadReturnsResultsAndErrors() async throws {
        let connection = try Fixture.connection()
        let names = try await Library.offload { try connection.domains().map(\.name) }
        #expect(names.contains("lab-controller"))
        await #expect(throws: LibvirtError.self) {
            try await Library.offload { try connection.domain(named: "vmctl-test-offload-missing") }
        }
    }

    @Test func offloadedCallsDoNotHoldTheCooperativePool() async throws {
        // More bodies than the pool has threads, each blocking until all of them
        // run at once: they meet only if they run outside the pool.
        let count = ProcessInfo.processInfo.activeProcessorCount * 4
        let rendezvous = Rendezvous(expected: count)
        let met = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<count {
                group.addTask { () async throws -> Bool in try await Library.offload { rendezvous.arriveAndWait(timeout: 60) } }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(met == count)
    }
}

/// Blocks each caller until `expected` callers have arrived, or the timeout passes.
final class Rendezvous: @unchecked Sendable {
    private let condition = NSCondition()
    private var arrived = 0
    private let expected: Int

    init(expected: Int) { self.expected = expected }

    func arriveAndWait(timeout: TimeInterval) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        condition.broadcast()
        let deadline = Date(timeIntervalSinceNow: timeout)
        while arrived < expected {
            if !condition.wait(until: deadline) { return arrived >= expected }
        }
        return true
    }
}
