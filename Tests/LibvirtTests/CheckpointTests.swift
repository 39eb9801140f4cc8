import Foundation
import Libvirt
import Testing

/// Domain checkpoints on a private test-driver connection.
@Suite struct CheckpointTests {
    /// A running test-driver domain with one disk, which checkpoints cover.
    func domainWithDisk(_ connection: Connection) throws -> Domain {
        try connection.createTransientDomain(xml: """
            <domain type='test'>
              <name>vmctl-test-cov-ckpt</name>
              <memory unit='MiB'>128</memory>
              <vcpu>1</vcpu>
              <os><type arch='x86_64'>hvm</type></os>
              <devices>
                <disk type='file' device='disk'>
                  <source file='/guest/vmctl-test-cov-ckpt.img'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
              </devices>
            </domain>
            """)
    }

    @Test func createNavigateAndDeleteACheckpointChain() throws {
        let connection = try Fixture.connection()
        let domain = try domainWithDisk(connection)
        #expect(try domain.checkpoints().isEmpty)

        let first = try domain.createCheckpoint(xml: "<domaincheckpoint><name>first</name></domaincheckpoint>")
        let second = try domain.createCheckpoint(xml: "<domaincheckpoint><name>second</name></domaincheckpoint>")
        let third = try domain.createCheckpoint(xml: "<domaincheckpoint><name>third</name></domaincheckpoint>")
        #expect(first.name == "first")
        #expect(second.domain === domain)
        #expect(try first.parent() == nil)
        #expect(try second.parent()?.name == "first")
        #expect(try third.parent()?.name == "second")

        #expect(Set(try domain.checkpoints().map(\.name)) == ["first", "second", "third"])
        #expect(try domain.checkpoints(.roots).map(\.name) == ["first"])
        #expect(try domain.checkpoints(.leaves).map(\.name) == ["third"])
        #expect(try domain.checkpoints([.topological]).map(\.name) == ["first", "second", "third"])
        #expect(try first.children().map(\.name) == ["second"])
        #expect(Set(try first.children(.descendants).map(\.name)) == ["second", "third"])
        #expect(try third.children().isEmpty)

        let xml = try domain.checkpoint(named: "second").xml()
        #expect(xml.contains("<name>second</name>"))
        #expect(xml.contains("<parent>") && xml.contains("<name>first</name>"))
        #expect(xml.contains("<disk name='vda' checkpoint='bitmap'"))
        #expect(xml.contains("<domain type='test'>"))
        #expect(try !second.xml(.noDomain).contains("<domain type="))

        // Deleting the middle one re-parents its child.
        try second.delete()
        #expect(errorCode { _ = try domain.checkpoint(named: "second") } == .noDomainCheckpoint)
        #expect(try domain.checkpoint(named: "third").parent()?.name == "first")
        try first.delete(.children)
        #expect(try domain.checkpoints().isEmpty)
    }

    @Test func redefiningACheckpointThatExistsIsRefused() throws {
        let connection = try Fixture.connection()
        let domain = try domainWithDisk(connection)
        let checkpoint = try domain.createCheckpoint(xml: "<domaincheckpoint><name>only</name></domaincheckpoint>")
        let code = errorCode {
            _ = try domain.createCheckpoint(xml: "<domaincheckpoint><name>only</name></domaincheckpoint>")
        }
        #expect(code != nil && code != .ok)
        try checkpoint.delete()
    }
}
