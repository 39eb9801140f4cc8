import Foundation
import Testing
@testable import LibvirtXML

/// The editing mechanism on strings: a value is written back from the node it was
/// read from, with only the fields that changed applied (and validated).
@Suite struct LosslessEditTests {
    static let handWritten = """
        <domain type='qemu'>
          <name>hand</name>
          <metadata>
            <other:data xmlns:other="https://example.org/other/1">kept</other:data>
          </metadata>
          <memory unit='KiB'>65536</memory>
          <vcpu placement='static'>1</vcpu>
          <os><type arch='x86_64' machine='pc'>hvm</type></os>
          <cpu mode='custom' match='exact' check='none'>
            <model fallback='allow'>qemu64</model>
            <feature policy='disable' name='svm'/>
          </cpu>
          <devices>
            <disk type='file' device='disk'>
              <driver name='qemu' type='qcow2' cache='none'/>
              <source file='/var/lib/a.qcow2' startupPolicy='optional'/>
              <target dev='vda' bus='virtio'/>
            </disk>
            <interface type='network'>
              <mac address='52:54:00:12:34:56'/>
              <source network='default' portgroup='web'/>
            </interface>
            <graphics type='vnc' port='5901' autoport='no'>
              <listen type='network' network='default'/>
            </graphics>
            <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
            <rng model='virtio'><rate bytes='1024' period='1000'/><backend model='random'>/dev/random</backend></rng>
          </devices>
        </domain>
        """

    /// The document with `edit` applied to its tree, the reference for a model edit.
    static func expected(_ edit: (inout XMLTree.Element) -> Void) throws -> String {
        var tree = try XMLReader.parse(handWritten)
        edit(&tree)
        return tree.serialized()
    }

    @Test func aCloneLikeEditChangesOnlyTheDiskPathTheMACAndTheName() throws {
        var domain = try DomainDefinition(xml: Self.handWritten)
        domain.name = "copy"
        domain.disks[0].source = .file("/var/lib/b.qcow2")
        domain.interfaces[0].mac = try MACAddress("52:54:00:aa:bb:cc")
        let expected = try Self.expected { root in
            root.setTextChild("name", "copy", order: [])
            root.updateChild("devices", order: []) { devices in
                var disk = devices.child("disk")!
                disk.updateChild("source", order: []) { $0.setAttribute("file", "/var/lib/b.qcow2") }
                var interface = devices.child("interface")!
                interface.updateChild("mac", order: []) { $0.setAttribute("address", "52:54:00:aa:bb:cc") }
                devices.setFirstChild("disk", disk, order: [])
                devices.setFirstChild("interface", interface, order: [])
            }
        }
        #expect(try domain.xml() == expected)
    }

    @Test func unchangedValuesAreWrittenAsRead() throws {
        let domain = try DomainDefinition(xml: Self.handWritten)
        #expect(try domain.xml() == XMLReader.parse(Self.handWritten).serialized())
        // A fixed port and a network listen the model reads as "no address" stay.
        #expect(domain.graphics[0].port == 5901 && domain.graphics[0].listen == nil)
    }

    @Test func aChangedFieldIsEditedInPlaceAndValidated() throws {
        var domain = try DomainDefinition(xml: Self.handWritten)
        domain.graphics[0].port = 5902
        let written = try domain.xml()
        #expect(written.contains("<graphics type='vnc' port='5902' autoport='no'>"))
        #expect(written.contains("<listen type='network' network='default'/>"))
        domain.graphics[0].port = 70000
        #expect(throws: ModelError.self) { try domain.xml() }
    }

    @Test func libvirtsOwnValuesAreNotJudgedUntilChanged() throws {
        // A serial longer than vmctl writes, and a Windows path: libvirt's, kept.
        let xml = """
            <domain type='qemu'><name>w</name><memory>1024</memory><os><type>hvm</type></os><devices>
            <disk type='file' device='disk'><source file='X:\\\\disk.vhdx'/><target dev='sda' bus='scsi'/><serial>  WD-WMAP9A966149</serial></disk>
            </devices></domain>
            """
        var domain = try DomainDefinition(xml: xml)
        #expect(try domain.xml() == XMLReader.parse(xml).serialized())
        domain.disks[0].serial = "bad serial with spaces"
        #expect(throws: ModelError.self) { try domain.xml() }
    }

    @Test func documentsLibvirtReadsWithoutTheElementsTheModelNeeded() throws {
        let numa = try DomainDefinition(xml: """
            <domain type='qemu'><name>n</name><os><type>hvm</type></os>
            <cpu><numa><cell id='0' cpus='0' memory='1024' unit='MiB'/><cell id='1' cpus='1' memory='1048576'/></numa></cpu></domain>
            """)
        #expect(numa.memory == ByteSize(bytes: 2 << 30))
        #expect(try !numa.xml().contains("<memory"))
        let poolXML = "<pool type='logical'><source><name>vg0</name></source><target><path>/dev/vg0</path></target></pool>"
        let pool = try StoragePoolDefinition(xml: poolXML)
        #expect(pool.name == "vg0")
        #expect(try pool.xml() == XMLReader.parse(poolXML).serialized())
        let volumeXML = "<volume><name>v</name><backingStore><path>/b.qcow2</path></backingStore></volume>"
        let volume = try StorageVolumeDefinition(xml: volumeXML)
        #expect(try volume.xml() == XMLReader.parse(volumeXML).serialized())
        let cdrom = try DomainDefinition(xml: """
            <domain type='qemu'><name>c</name><memory>1024</memory><os><type>hvm</type></os><devices>
            <disk type='volume' device='cdrom'><target dev='hdc' bus='ide'/></disk></devices></domain>
            """)
        #expect(cdrom.disks[0].source == .empty)
    }

    @Test func aDeviceAddedToADocumentWithoutDevicesGetsThem() throws {
        var domain = try DomainDefinition(xml: "<domain type='qemu'><name>d</name><memory>1024</memory><os><type>hvm</type></os></domain>")
        #expect(try !domain.xml().contains("<devices"))
        domain.disks = [Disk(source: .file("/var/lib/d.qcow2"), target: "vda")]
        #expect(try DomainDefinition(xml: domain.xml()).disks.map(\.source) == [.file("/var/lib/d.qcow2")])
    }

    @Test func aSecondRNGAndBalloonStayWhenTheFirstChanges() throws {
        var domain = try DomainDefinition(xml: Self.handWritten)
        domain.rng?.backend = "/dev/hwrng"
        let written = try domain.xml()
        #expect(written.contains(">/dev/hwrng</backend>"))
        #expect(written.contains(">/dev/random</backend>"))
        domain.rng = nil
        let removed = try domain.xml()
        #expect(removed.components(separatedBy: "<rng ").count == 2 && removed.contains(">/dev/random</backend>"))
    }

    @Test func capabilitiesEditsKeepWhatTheModelDoesNotKnow() throws {
        let xml = """
            <capabilities><host><uuid>x</uuid><cpu><arch>x86_64</arch><model>Skylake</model><feature name='vmx'/></cpu>
            <secmodel><model>none</model></secmodel></host>
            <guest><os_type>hvm</os_type><arch name='x86_64'><wordsize>64</wordsize><machine>pc</machine><domain type='qemu'/></arch>
            <features><acpi default='on' toggle='yes'/></features></guest></capabilities>
            """
        var caps = try HostCapabilities(xml: xml)
        caps.hostCPUModel = "Haswell"
        let written = try caps.xml()
        #expect(written.contains("<model>Haswell</model>") && written.contains("<feature name='vmx'/>"))
        #expect(written.contains("<secmodel>") && written.contains("<acpi default='on' toggle='yes'/>"))
    }

    /// The corpus test's comparison (LibvirtCorpusTests) sees each kind of loss, and
    /// ignores only attribute order and whitespace-only text.
    @Test func theCanonicalComparisonSeesEachKindOfLoss() throws {
        let a = "<a x='1' y='2'>\n  <b>t</b>\n  <c/>\n</a>"
        #expect(try LibvirtCorpus.firstDifference(a, "<a y=\"2\" x=\"1\"><b>t</b><c></c></a>") == nil)
        #expect(try LibvirtCorpus.firstDifference(a, "<a x='1'><b>t</b><c/></a>") != nil)
        #expect(try LibvirtCorpus.firstDifference(a, "<a x='1' y='3'><b>t</b><c/></a>") != nil)
        #expect(try LibvirtCorpus.firstDifference(a, "<a x='1' y='2'><b>u</b><c/></a>") != nil)
        #expect(try LibvirtCorpus.firstDifference(a, "<a x='1' y='2'><b>t</b></a>") != nil)
        #expect(try LibvirtCorpus.firstDifference(a, "<a x='1' y='2'><c/><b>t</b></a>") != nil)
    }
}
