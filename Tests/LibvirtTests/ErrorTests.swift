import Foundation
import Libvirt
import Testing

@Suite struct ErrorTests {
    @Test func failedLookupThrowsNoDomain() throws {
        let connection = try Fixture.connection()
        let error = #expect(throws: LibvirtError.self) { try connection.domain(named: "vmctl-test-missing") }
        #expect(error?.code == .noDomain)
        #expect(error?.code.name == "no-domain")
        #expect(error?.origin == .test)
        #expect(error?.level == .error)
        #expect(error?.message.lowercased().contains("not found") == true)
        // The ~= overload lets callers match codes in catch clauses.
        do {
            _ = try connection.domain(named: "vmctl-test-missing")
            Issue.record("lookup should have failed")
        } catch LibvirtError.Code.noDomain {
            // expected
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func otherObjectsReportTheirOwnCodes() throws {
        let connection = try Fixture.connection()
        #expect(errorCode { _ = try connection.network(named: "nope") } == .noNetwork)
        #expect(errorCode { _ = try connection.storagePool(named: "nope") } == .noStoragePool)
        #expect(errorCode { _ = try connection.storageVolume(path: "/nope") } == .noStorageVolume)
        let domain = try connection.domain(named: "lab-controller")
        #expect(errorCode { _ = try domain.snapshot(named: "nope") } == .noDomainSnapshot)
    }

    @Test func unknownCodesRoundTrip() {
        let code = LibvirtError.Code(rawValue: 9999)
        #expect(code.rawValue == 9999)
        #expect(code.name == "code-9999")
        #expect(LibvirtError.Code.noDomain.rawValue == 42)
        #expect(LibvirtError.Code.operationInvalid.rawValue == 55)
    }

    /// Every code and origin of the libvirt the binding is built against has a name.
    @Test func everyCodeAndOriginIsNamed() {
        let unnamed = (0...110).map { LibvirtError.Code(rawValue: $0) }.filter { $0.name.hasPrefix("code-") }
        #expect(unnamed.isEmpty, "\(unnamed.map(\.rawValue))")
        #expect(LibvirtError.Code(rawValue: 66).name == "no-secret")
        #expect(LibvirtError.Code.noNWFilter.name == "no-nwfilter")
        #expect(LibvirtError.Code.noDomainCheckpoint.name == "no-domain-checkpoint")
        let origins = (0...72).map { LibvirtError.Origin(rawValue: $0) }.filter { $0.name.hasPrefix("origin-") }
        #expect(origins.isEmpty, "\(origins.map(\.rawValue))")
        #expect(LibvirtError.Origin.domain.name == "domain")
        #expect(LibvirtError.Origin.domainSnapshot.description == "domain-snapshot")
        #expect(LibvirtError.Origin(rawValue: 9999).name == "origin-9999")
    }

    @Test func invalidXMLIsReportedWithLibvirtsDetail() throws {
        let connection = try Fixture.connection()
        let error = #expect(throws: LibvirtError.self) { try connection.defineDomain(xml: "<domain type='test'>") }
        #expect(error?.code == .xmlDetail || error?.code == .xmlError)
        #expect(error?.message.isEmpty == false)
    }

    /// libvirt's default error printer writes to stderr; the binding silences it.
    @Test func nothingReachesStderr() throws {
        let connection = try Fixture.connection()
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-stderr-\(getpid())")
        _ = FileManager.default.createFile(atPath: capture.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: capture) }
        let saved = dup(2)
        let file = open(capture.path, O_WRONLY)
        dup2(file, 2)
        for _ in 0..<3 { _ = try? connection.domain(named: "vmctl-test-missing") }
        _ = try? Connection(uri: "qemu+unix:///system?socket=/nonexistent/vmctl-test.sock")
        fflush(nil)
        dup2(saved, 2)
        close(file)
        close(saved)
        let written = try String(contentsOf: capture, encoding: .utf8)
        #expect(!written.contains("libvirt:"), "libvirt printed: \(written)")
        #expect(!written.contains("vmctl-test-missing"))
    }
}
