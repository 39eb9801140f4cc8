import Foundation
import Testing
@testable import LibvirtXML

/// libvirt's own output for the golden files (test driver `dumpxml`), which holds
/// elements and attributes the model does not know.
@Suite("libvirt output: read back and edit")
struct LibvirtOutputTests {
    static let outputs = (try? FileManager.default.contentsOfDirectory(
        atPath: fixturesURL.appendingPathComponent("libvirt-output").path))?.filter { $0.hasSuffix(".xml") }.sorted() ?? []

    func output(_ name: String) throws -> String { try fixture("libvirt-output/" + name) }

    /// Domains as libvirt printed them, with shapes and state beyond the golden files.
    static let editFixtures = (try? FileManager.default.contentsOfDirectory(
        atPath: fixturesURL.appendingPathComponent("edit").path))?.filter { $0.hasSuffix(".xml") }.sorted().map { "edit/" + $0 } ?? []

    @Test("Domains libvirt printed (running, test driver's own, unmodelled devices) write back byte for byte", arguments: editFixtures)
    func editFixturesUnchanged(_ path: String) throws {
        let text = try fixture(path)
        let domain = try DomainDefinition(xml: text)
        #expect(try domain.xml() == text)
        var edited = domain
        edited.description = "edited & checked"
        let written = try edited.xml()
        #expect(written.contains("<description>edited &amp; checked</description>"))
        #expect(written.split(separator: "\n").count == text.split(separator: "\n").count + (domain.description == nil ? 1 : 0))
        try expectSchemaValid(written)
    }

    @Test("There is libvirt output for every kind of definition")
    func outputsPresent() {
        for kind in ["domain-", "network-", "pool-", "volume-", "snapshot-"] {
            #expect(Self.outputs.contains { $0.hasPrefix(kind) }, "no libvirt output for \(kind)")
        }
    }

    @Test("libvirt's output of a golden file reads back equal to its model", arguments: outputs)
    func readsBackEqual(_ name: String) throws {
        // "domain-lab-compute.xml" came from "domain/lab-compute.xml".
        let dash = try #require(name.firstIndex(of: "-"))
        let path = name[..<dash] + "/" + name[name.index(after: dash)...]
        let golden = try #require(goldens.first { $0.path == path })
        var text = try output(name)
        if path.hasPrefix("volume/") {
            // The pool assigns the volume's key and path; the definition has neither.
            var volume = try StorageVolumeDefinition(xml: text)
            #expect(volume.targetPath == "/default-pool/" + volume.name.rawValue)
            volume.targetPath = nil
            text = try volume.xml()
        }
        #expect(try golden.equalsParsed(text))
    }

    /// The test driver cannot take external snapshots, so only the internal snapshot goes through it.
    static let driverGoldens = goldens.filter { !$0.path.hasPrefix("snapshot/") || $0.path == "snapshot/internal-memory.xml" }

    @Test("libvirt's test driver accepts each golden file and returns an equal model", arguments: driverGoldens)
    func testDriverAccepts(_ golden: Golden) throws {
        let file = fixturesURL.appendingPathComponent(golden.path).path
        let name = try #require(try XMLReader.parse(try fixture(golden.path)).childText("name"))
        let commands: String
        switch golden.path.split(separator: "/").first {
        case "domain": commands = "define \(file); dumpxml \(name)"
        case "network": commands = "net-define \(file); net-dumpxml \(name)"
        case "pool": commands = "pool-define \(file); pool-dumpxml \(name)"
        case "volume": commands = "vol-create default-pool \(file); vol-dumpxml --pool default-pool \(name)"
        default: commands = "snapshot-create test \(file); snapshot-dumpxml test \(name)"
        }
        let result = try run("virsh", ["-c", "test:///default", commands])
        #expect(result.status == 0, "\(result.output)")
        let start = try #require(result.output.range(of: "\n<"))
        var text = String(result.output[start.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        text = "<" + text + "\n"
        if golden.path.hasPrefix("volume/") {
            var volume = try StorageVolumeDefinition(xml: text)
            #expect(volume.targetPath == "/default-pool/" + volume.name.rawValue)
            volume.targetPath = nil
            text = try volume.xml()
        }
        #expect(try golden.equalsParsed(text), "\(text)")
    }

    @Test("Reading libvirt's output and writing it unchanged gives the same bytes", arguments: outputs)
    func unchangedIsByteForByte(_ name: String) throws {
        let text = try output(name)
        let path = name.replacingOccurrences(of: "-", with: "/", options: [], range: name.range(of: "-"))
        #expect(try parseAny(path, text) == text)
    }

    @Test("Changing memory changes only the memory line")
    func editMemoryOnly() throws {
        let text = try output("domain-uefi-storage.xml")
        var domain = try DomainDefinition(xml: text)
        domain.memory = .gib(6)
        domain.currentMemory = .gib(6)
        let expected = text
            .replacingOccurrences(of: "<memory unit='KiB'>4194304</memory>", with: "<memory unit='KiB'>6291456</memory>")
            .replacingOccurrences(of: "<currentMemory unit='KiB'>4194304</currentMemory>", with: "<currentMemory unit='KiB'>6291456</currentMemory>")
        #expect(expected != text)
        #expect(try domain.xml() == expected)
    }

    @Test("Adding a disk inserts it after the last disk and keeps every other line")
    func editAddDisk() throws {
        let text = try output("domain-lab-compute.xml")
        var domain = try DomainDefinition(xml: text)
        domain.disks.append(Disk(source: .file("/var/lib/libvirt/images/extra.qcow2"), target: "vdb", format: .qcow2))
        let written = try domain.xml()
        let added = """
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='/var/lib/libvirt/images/extra.qcow2'/>
                  <target dev='vdb' bus='virtio'/>
                </disk>

            """
        let anchor = "    <controller type='sata' index='0'/>\n"
        let range = try #require(text.range(of: anchor))
        var expected = text
        expected.insert(contentsOf: added, at: range.lowerBound)
        #expect(written == expected)
        #expect(try DomainDefinition(xml: written) == domain)
        try expectSchemaValid(written)
    }

    @Test("Editing interfaces, metadata and the guest agent touches only those nodes")
    func editSeveral() throws {
        let text = try output("domain-lab-compute.xml")
        var domain = try DomainDefinition(xml: text)
        domain.interfaces[1].mac = try MACAddress("52:54:00:00:00:99")
        domain.guestAgent = false
        domain.metadata?.role = "network"
        domain.title = "Renamed <node> & co"
        let expected = text
            .replacingOccurrences(of: "<mac address='52:54:00:1a:2b:3d'/>", with: "<mac address='52:54:00:00:00:99'/>")
            .replacingOccurrences(
                of: "    <channel type='unix'>\n      <target type='virtio' name='org.qemu.guest_agent.0'/>\n    </channel>\n", with: "")
            .replacingOccurrences(of: "<vmctl:role>compute</vmctl:role>", with: "<vmctl:role>network</vmctl:role>")
            .replacingOccurrences(of: "<title>Compute node 1</title>", with: "<title>Renamed &lt;node&gt; &amp; co</title>")
        #expect(try domain.xml() == expected)
    }

    @Test("Unknown elements, foreign namespaces and comments survive an edit byte for byte")
    func unknownElementsSurvive() throws {
        let text = """
            <domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
              <name>keep-me</name>
              <metadata>
                <other:app xmlns:other="https://example.com/app" version="2">
                  <other:note owner="ops">don't &amp; "keep"</other:note>
                </other:app>
              </metadata>
              <memory unit='KiB'>1048576</memory>
              <currentMemory unit='KiB'>1048576</currentMemory>
              <vcpu placement='static' cpuset='0-1'>2</vcpu>
              <sysinfo type='smbios'>
                <system>
                  <entry name='manufacturer'>Lab &amp; Co</entry>
                </system>
              </sysinfo>
              <os>
                <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
                <smbios mode='sysinfo'/>
                <boot dev='hd'/>
              </os>
              <features>
                <acpi/>
                <vmport state='off'/>
              </features>
              <pm>
                <suspend-to-disk enabled='no'/>
              </pm>
              <devices>
                <!-- managed by hand -->
                <input type='tablet' bus='usb'>
                  <address type='usb' bus='0' port='1'/>
                </input>
                <watchdog model='i6300esb' action='reset'/>
              </devices>
              <qemu:commandline>
                <qemu:arg value='-newarg'/>
              </qemu:commandline>
            </domain>

            """
        var domain = try DomainDefinition(xml: text)
        #expect(domain.features == [.acpi])
        #expect(try domain.xml() == text)
        domain.vcpus = 4
        domain.features.append(.apic)
        let expected = text
            .replacingOccurrences(of: "cpuset='0-1'>2</vcpu>", with: "cpuset='0-1'>4</vcpu>")
            .replacingOccurrences(of: "    <vmport state='off'/>\n", with: "    <vmport state='off'/>\n    <apic/>\n")
        #expect(try domain.xml() == expected)
    }

    @Test("VMMetadata is a standalone fragment for virDomainSetMetadata")
    func metadataFragment() throws {
        let metadata = VMMetadata(lab: "lab1", role: "compute", volumes: [.init(.pool(pool: "default", volume: "a.qcow2"), createdByVMCtl: true)])
        let xml = try metadata.xml()
        #expect(xml == """
            <vmctl:vm xmlns:vmctl="https://vmctl.dev/xmlns/vm/1.0">
              <vmctl:lab>lab1</vmctl:lab>
              <vmctl:role>compute</vmctl:role>
              <vmctl:volumes>
                <vmctl:volume pool="default" name="a.qcow2" created="yes"/>
              </vmctl:volumes>
            </vmctl:vm>

            """)
        #expect(try VMMetadata(xml: xml) == metadata)
        // libvirt may hand it back under another prefix.
        let other = try VMMetadata(xml: "<v:vm xmlns:v='https://vmctl.dev/xmlns/vm/1.0'><v:lab>lab2</v:lab></v:vm>")
        #expect(other.lab == "lab2")
        #expect(throws: ModelError.self) { try VMMetadata(xml: "<vmctl:vm xmlns:vmctl='https://example.com/other'/>") }
    }

    @Test("Devices of types vmctl does not model are read, kept byte for byte, and survive edits elsewhere")
    func unmodeledDevices() throws {
        let text = try fixture("edit/unmodeled-devices.xml")
        var domain = try DomainDefinition(xml: text)
        #expect(domain.disks.map(\.source) == [.unmodeled(type: "network"), .file("/var/lib/libvirt/images/unmodeled.qcow2")])
        #expect(domain.interfaces.map(\.source) == [.unmodeled(type: "ethernet"), .network("default")])
        #expect(domain.serials.map(\.source) == [.unmodeled(type: "tcp")])
        #expect(domain.cpu?.mode == .unspecified)
        #expect(domain.rng?.backend == nil)
        #expect(try domain.xml() == text)
        domain.memory = .gib(3)
        domain.disks[1].readOnly = true
        domain.interfaces[0].mac = try MACAddress("52:54:00:12:34:99")
        let expected = text
            .replacingOccurrences(of: "<memory unit='KiB'>2097152</memory>", with: "<memory unit='KiB'>3145728</memory>")
            .replacingOccurrences(of: "      <serial>abc123</serial>\n", with: "      <readonly/>\n      <serial>abc123</serial>\n")
            .replacingOccurrences(of: "52:54:00:12:34:56", with: "52:54:00:12:34:99")
        #expect(try domain.xml() == expected)
        try expectSchemaValid(expected)
        // A type vmctl does not model cannot be created from code.
        var fresh = DomainDefinition(name: "fresh", memory: .gib(1))
        fresh.disks = [Disk(source: .unmodeled(type: "network"), target: "vda")]
        #expect(throws: ModelError(field: "devices.disk[0].type", value: "network", rule: "types vmctl does not model can only be kept from XML that was read")) {
            try fresh.xml()
        }
        fresh.disks = []
        fresh.cpu = CPUDefinition(mode: .unspecified, nested: .vmx)
        #expect { try fresh.xml() } throws: { ($0 as? ModelError)?.field == "cpu.feature" }
    }

    @Test("A running domain's allocated VNC port is kept when graphics are not changed")
    func runningGraphicsPort() throws {
        let text = try output("domain-lab-compute.xml")
            .replacingOccurrences(of: "<graphics type='vnc' port='-1' autoport='yes'", with: "<graphics type='vnc' port='5901' autoport='yes'")
        var domain = try DomainDefinition(xml: text)
        #expect(domain.graphics.first?.port == nil)
        domain.vcpus = 6
        #expect(try domain.xml() == text.replacingOccurrences(of: "<vcpu placement='static'>4</vcpu>", with: "<vcpu placement='static'>6</vcpu>"))
        domain.graphics[0].port = 5905
        #expect(try domain.xml().contains("<graphics type='vnc' port='5905' autoport='no' listen='127.0.0.1'>"))
    }
}
