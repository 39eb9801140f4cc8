import Foundation
import Libvirt
import LibvirtXML
import Testing
@testable import VMCtlKit

/// The daily verbs on the test driver (Fixtures/libvirt/test-node.xml: lab-controller
/// and lab-compute1 running, lab-storage shut off): bad input is one line naming
/// the field, exit 64, and leaves every domain, volume and autostart flag as it was.
@Suite struct VMVerbTests {
    /// Everything a verb could change: each domain's live and persistent XML,
    /// state and autostart, and each pool's volumes.
    static func state(_ connection: Connection) throws -> [String] {
        var lines: [String] = []
        for domain in try connection.domains().sorted(by: { $0.name < $1.name }) {
            lines.append("\(domain.name) \(try domain.state().state) autostart=\(try domain.autostart())")
            lines.append(try domain.xml())
            if try domain.isPersistent() { lines.append(try domain.xml([.inactive])) }
        }
        for pool in try connection.storagePools() {
            lines.append("\(pool.name): " + (try pool.volumes().map(\.name).sorted().joined(separator: " ")))
        }
        return lines
    }

    /// lab-storage with a virtio disk vdb and vmctl metadata naming lab `lab` (when given).
    static func redefineStorage(_ connection: Connection, lab: String? = nil) throws {
        var definition = try DomainDefinition(xml: try connection.domain(named: "lab-storage").xml([.inactive]))
        definition.disks = [Disk(source: .file("/var/lib/libvirt/images/data.qcow2"), target: "vdb", format: .qcow2)]
        definition.metadata = VMMetadata(lab: try lab.map { try ObjectName($0) })
        _ = try connection.defineDomain(xml: try definition.xml())
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var message: String
        /// Run before the state is read: what the case needs that the node file lacks.
        var setup: (@Sendable (Connection) throws -> Void)? = nil
        var body: @Sendable (Connection) throws -> Void
        var testDescription: String { label }
    }

    /// A running transient domain, `lab-scratch`.
    static func createTransient(_ connection: Connection) throws {
        _ = try connection.createTransientDomain(xml: """
            <domain type='test'><name>lab-scratch</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>
            """)
    }

    static func devices(_ c: Connection) -> VMDevices { VMDevices(connection: c) }

    static let badInput: [Case] = [
        Case(label: "suspend shut off", message: "vm suspend: 'lab-storage' is shut off, not running") {
            _ = try VMControl(connection: $0).suspend("lab-storage")
        },
        Case(label: "resume shut off", message: "vm resume: 'lab-storage' is shut off, not paused; start it with vmctl vm start lab-storage") {
            _ = try VMControl(connection: $0).resume("lab-storage")
        },
        Case(label: "autostart missing", message: "vm: no domain named 'nope'") {
            _ = try VMControl(connection: $0).setAutostart("nope", enabled: true)
        },
        Case(label: "rename running", message: "vm rename: 'lab-controller' is running; stop it first (vmctl vm stop lab-controller)") {
            _ = try VMControl(connection: $0).rename("lab-controller", to: "new")
        },
        Case(label: "rename bad name",
             message: #"new name: "bad<n" is not allowed: use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most 64 characters"#) {
            _ = try VMControl(connection: $0).rename("lab-storage", to: "bad<n")
        },
        Case(label: "rename taken", message: "new name: a domain named 'lab-compute1' already exists") {
            _ = try VMControl(connection: $0).rename("lab-storage", to: "lab-compute1")
        },
        Case(label: "rename same", message: "new name: 'lab-storage' is already the VM's name") {
            _ = try VMControl(connection: $0).rename("lab-storage", to: "lab-storage")
        },
        Case(label: "rename lab VM", message: "vm rename: 'lab-storage' belongs to lab 'demo', whose plan names it; rename the node in the plan instead",
             setup: { try redefineStorage($0, lab: "demo") }) {
            _ = try VMControl(connection: $0).rename("lab-storage", to: "new")
        },
        Case(label: "set nothing", message: "vm set: give --memory SIZE, --vcpus N or both") {
            _ = try VMResources(connection: $0).set("lab-storage", .init())
        },
        Case(label: "set vcpus 0", message: "--vcpus: 0 is not allowed: must be 1 to 512") {
            _ = try VMResources(connection: $0).set("lab-storage", .init(vcpus: 0))
        },
        Case(label: "set memory tiny", message: #"--memory: "1M" is not allowed: at least 16 MiB, in whole KiB"#) {
            _ = try VMResources(connection: $0).set("lab-storage", .init(memory: "1M"))
        },
        Case(label: "set memory huge", message: #"--memory: "99T" is not allowed: more than this host's memory"#) {
            _ = try VMResources(connection: $0).set("lab-storage", .init(memory: "99T"))
        },
        Case(label: "set memory above boot", message: "--memory: 4 GiB is above the 512 MiB 'lab-controller' booted with; stop it to grow past that, or use --config") {
            _ = try VMResources(connection: $0).set("lab-controller", .init(memory: "4G"))
        },
        Case(label: "set vcpus above boot", message: "--vcpus: 3 is above the 2 'lab-controller' booted with; stop it to grow past that, or use --config") {
            _ = try VMResources(connection: $0).set("lab-controller", .init(vcpus: 3))
        },
        Case(label: "set memory without balloon",
             message: "--memory: 'lab-controller' has no memory balloon, so its memory changes only while it is shut off; use --config") {
            _ = try VMResources(connection: $0).set("lab-controller", .init(memory: "256M", vcpus: 2))
        },
        Case(label: "set live shut off", message: "--live: 'lab-storage' is not running; leave --live out to change its definition") {
            _ = try VMResources(connection: $0).set("lab-storage", .init(vcpus: 2, live: true))
        },
        Case(label: "attach-disk neither", message: "vm attach-disk: give either --source (an existing image) or --size (a new volume)") {
            _ = try devices($0).attachDisk("lab-storage", .init())
        },
        Case(label: "attach-disk both", message: "vm attach-disk: give either --source (an existing image) or --size (a new volume)") {
            _ = try devices($0).attachDisk("lab-storage", .init(source: "/x", size: "1G"))
        },
        Case(label: "attach-disk target", message: #"--target: "sda" is not allowed: vd followed by one or two lowercase letters (vdb … vdzz)"#) {
            _ = try devices($0).attachDisk("lab-storage", .init(size: "1G", pool: "lab-pool", target: "sda"))
        },
        Case(label: "attach-disk target taken", message: "--target: 'lab-storage' already has a disk vdb", setup: { try redefineStorage($0) }) {
            _ = try devices($0).attachDisk("lab-storage", .init(size: "1G", pool: "lab-pool", target: "vdb"))
        },
        Case(label: "attach-disk new volume on a transient VM",
             message: "--size: 'lab-scratch' is transient: vmctl could not record the new volume for vm delete; attach an existing image with --source",
             setup: createTransient) {
            _ = try devices($0).attachDisk("lab-scratch", .init(size: "1G", pool: "lab-pool"))
        },
        Case(label: "config on a transient VM", message: "--config: 'lab-scratch' is transient: it has no persistent definition to change",
             setup: createTransient) {
            _ = try devices($0).detachNIC("lab-scratch", mac: "52:54:00:00:00:09", live: false, config: true)
        },
        Case(label: "edit a transient VM", message: "vm edit: 'lab-scratch' is transient: it has no persistent definition to edit",
             setup: createTransient) {
            _ = try VMEditor(connection: $0).edit("lab-scratch", editor: { _ throws(VMCtlError) in })
        },
        Case(label: "autostart a transient VM", message: "vm autostart: 'lab-scratch' is transient: only a defined VM can start with the host",
             setup: createTransient) {
            _ = try VMControl(connection: $0).setAutostart("lab-scratch", enabled: true)
        },
        Case(label: "attach-disk size", message: #"--size: "1K" is not allowed: at least 1 MiB"#) {
            _ = try devices($0).attachDisk("lab-storage", .init(size: "1K", pool: "lab-pool"))
        },
        Case(label: "attach-disk pool", message: "--pool: no storage pool named 'nope'; create one with vmctl pool create nope --type dir --target /var/lib/libvirt/images") {
            _ = try devices($0).attachDisk("lab-storage", .init(size: "1G", pool: "nope"))
        },
        Case(label: "attach-disk volume", message: "--source: pool 'lab-pool' has no volume named 'nope'") {
            _ = try devices($0).attachDisk("lab-storage", .init(source: "lab-pool/nope"))
        },
        Case(label: "attach-disk file", message: "--source: '/nonexistent/disk.img' does not exist") {
            _ = try devices($0).attachDisk("lab-storage", .init(source: "/nonexistent/disk.img"))
        },
        Case(label: "detach-disk absent", message: "target: 'lab-storage' has no disk vdz") {
            _ = try devices($0).detachDisk("lab-storage", target: "vdz", live: false, config: false)
        },
        Case(label: "attach-nic spec", message: #"--network: "bond=x" is not allowed: NAME, network=NAME, bridge=BR or direct=DEV"#) {
            _ = try devices($0).attachNIC("lab-storage", spec: "bond=x", live: false, config: false)
        },
        Case(label: "attach-nic device", message: "--network: device= names a NIC in a cloud-init seed, which vm attach-nic does not write") {
            _ = try devices($0).attachNIC("lab-storage", spec: "lab-mgmt,device=eth1", live: false, config: false)
        },
        Case(label: "attach-nic zero mac", message: #"--network mac: "00:00:00:00:00:00" is not allowed: the all-zero address is no NIC's"#) {
            _ = try devices($0).attachNIC("lab-storage", spec: "lab-mgmt,mac=00:00:00:00:00:00", live: false, config: false)
        },
        Case(label: "attach-nic multicast mac",
             message: #"--network mac: "01:00:5e:00:00:01" is not allowed: must be a unicast address (lowest bit of the first octet clear)"#) {
            _ = try devices($0).attachNIC("lab-storage", spec: "lab-mgmt,mac=01:00:5e:00:00:01", live: false, config: false)
        },
        Case(label: "attach-nic mac in use", message: "--network mac: 52:54:00:00:00:01 is already used by 'lab-controller' on network=lab-mgmt") {
            _ = try devices($0).attachNIC("lab-storage", spec: "lab-mgmt,mac=52:54:00:00:00:01", live: false, config: false)
        },
        Case(label: "attach-nic network", message: "--network: no libvirt network named 'nope'") {
            _ = try devices($0).attachNIC("lab-storage", spec: "nope", live: false, config: false)
        },
        Case(label: "detach-nic mac", message: #"mac: "zz" is not allowed: write six pairs of hex digits separated by ':', e.g. 52:54:00:12:34:56"#) {
            _ = try devices($0).detachNIC("lab-controller", mac: "zz", live: false, config: false)
        },
        Case(label: "detach-nic absent", message: "mac: 'lab-controller' has no interface 52:54:00:00:00:09") {
            _ = try devices($0).detachNIC("lab-controller", mac: "52:54:00:00:00:09", live: false, config: false)
        },
    ]

    @Test(arguments: badInput)
    func badInputChangesNothing(_ testCase: Case) throws {
        let connection = try Fixture.connection()
        try testCase.setup?(connection)
        let before = try Self.state(connection)
        do {
            try testCase.body(connection)
            Issue.record("\(testCase.label): no error")
        } catch let error as VMCtlError {
            #expect(error.message == testCase.message)
            #expect(error.status == .usage)
        }
        #expect(try Self.state(connection) == before)
    }

    @Test func verbsChangeWhatTheySay() throws {
        let connection = try Fixture.connection()
        let control = VMControl(connection: connection)
        #expect(try control.suspend("lab-controller") == VMChangeResult(name: "lab-controller", action: "suspended"))
        #expect(try connection.domain(named: "lab-controller").state().state == .paused)
        #expect(try control.resume("lab-controller").action == "resumed")
        #expect(try connection.domain(named: "lab-controller").state().state == .running)
        #expect(try control.setAutostart("lab-storage", enabled: true).autostart == true)
        #expect(try connection.domain(named: "lab-storage").autostart())

        let set = try VMResources(connection: connection).set("lab-storage", .init(memory: "1G", vcpus: 3))
        #expect(set.scope == ChangeScope(live: false, config: true))
        let storage = try DomainDefinition(xml: try connection.domain(named: "lab-storage").xml([.inactive]))
        #expect(storage.memory == .gib(1))
        #expect(storage.vcpus == 3)

        let renamed = try control.rename("lab-storage", to: "lab-archive")
        #expect(renamed.name == "lab-archive" && renamed.previousName == "lab-storage")
        #expect(try connection.domain(named: "lab-archive").autostart())
        #expect(vmctlError { () throws(VMCtlError) in try VMLifecycle(connection: connection).domain(nameOrUUID: "lab-storage") }?.status == .usage)
    }

    // MARK: vm edit

    /// An editor that rewrites the file with `change`.
    static func editor(_ change: @escaping (String) -> String) -> VMEditor.Editor {
        { (path: String) throws(VMCtlError) in
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            do { try change(text).write(toFile: path, atomically: false, encoding: .utf8) } catch { throw VMCtlError("\(error)") }
        }
    }

    @Test func editDefinesTheXMLAsWritten() throws {
        let connection = try Fixture.connection()
        var seenPath = ""
        var mode: mode_t = 0
        let result = try VMEditor(connection: connection).edit("lab-storage") { (path: String) throws(VMCtlError) in
            seenPath = path
            var info = stat()
            stat(path, &info)
            mode = info.st_mode & 0o777
            try Self.editor { $0.replacingOccurrences(of: "</name>", with: "</name><description>edited</description>") }(path)
        }
        #expect(result.action == "edited")
        #expect(mode == 0o600)
        #expect(!FileManager.default.fileExists(atPath: seenPath), "the temporary file is removed")
        #expect(try DomainDefinition(xml: connection.domain(named: "lab-storage").xml([.inactive])).description == "edited")
        #expect(try VMEditor(connection: connection).edit("lab-storage", editor: { _ throws(VMCtlError) in }).action == "unchanged")
    }

    @Test(arguments: [
        ("name", "<name>lab-storage</name>", "<name>lab-other</name>",
         "name: vm edit cannot change the name (that would define a second VM); use vmctl vm rename"),
        ("uuid", "11111111-2222-3333-4444-000000000003", "11111111-2222-3333-4444-000000000099",
         "uuid: vm edit cannot change or remove the UUID (that would define a second VM)"),
        ("not XML", "</domain>", "", "xml: the edited file is not a well-formed document: "),
        ("schema", "<memory unit='KiB'>", "<memory unit='lots'>", "xml: the edited XML is not a domain libvirt accepts: "),
    ])
    func editRefusesAndKeepsTheEdit(label: String, find: String, replace: String, message: String) throws {
        let connection = try Fixture.connection()
        let before = try Self.state(connection)
        var kept = ""
        let error = vmctlError { () throws(VMCtlError) in
            try VMEditor(connection: connection).edit("lab-storage") { (path: String) throws(VMCtlError) in
                kept = path
                try Self.editor { $0.replacingOccurrences(of: find, with: replace) }(path)
            }
        }
        #expect(error?.status == .usage, "\(label)")
        #expect(error?.message.hasPrefix(message) == true, "\(label): \(error?.message ?? "no error")")
        #expect(error?.message.hasSuffix("; nothing changed, the edit is kept in \(kept)") == true)
        #expect(FileManager.default.fileExists(atPath: kept))
        try? FileManager.default.removeItem(atPath: (kept as NSString).deletingLastPathComponent)
        #expect(try Self.state(connection) == before)
    }

    @Test func editOverAChangedDefinitionIsRefused() throws {
        let connection = try Fixture.connection()
        var kept = ""
        let error = vmctlError { () throws(VMCtlError) in
            try VMEditor(connection: connection).edit("lab-storage") { (path: String) throws(VMCtlError) in
                kept = path
                // Someone else redefines the VM while the editor is open.
                do {
                    var other = try DomainDefinition(xml: try connection.domain(named: "lab-storage").xml([.inactive]))
                    other.title = "changed meanwhile"
                    _ = try connection.defineDomain(xml: try other.xml())
                } catch { throw VMCtlError("\(error)") }
                try Self.editor { $0.replacingOccurrences(of: "</name>", with: "</name><description>mine</description>") }(path)
            }
        }
        #expect(error?.message == "vm edit: 'lab-storage' was changed by someone else while it was being edited; nothing changed, the edit is kept in \(kept)")
        #expect(error?.status == .failure)
        let now = try DomainDefinition(xml: connection.domain(named: "lab-storage").xml([.inactive]))
        #expect(now.title == "changed meanwhile" && now.description == nil)
        try? FileManager.default.removeItem(atPath: (kept as NSString).deletingLastPathComponent)
    }

    @Test func editorThatFailsChangesNothing() throws {
        let connection = try Fixture.connection()
        let before = try Self.state(connection)
        let editor = VMEditor.terminalEditor(environment: ["EDITOR": "sed -i s/lab-storage/x/ \"$1\"; false"])
        let error = vmctlError { () throws(VMCtlError) in try VMEditor(connection: connection).edit("lab-storage", editor: editor) }
        #expect(error?.message.hasPrefix("vm edit: the editor 'sed -i s/lab-storage/x/ \"$1\"; false' exited with status 1") == true)
        #expect(try Self.state(connection) == before)
    }

    @Test func editorComesFromVisualThenEditorThenVi() throws {
        // Each writes its own name into the file, so the file says which ran.
        let folder = try VMEditor.privateFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/f"
        for (environment, expected) in [(["VISUAL": "echo visual >", "EDITOR": "echo editor >"], "visual"),
                                        (["VISUAL": "", "EDITOR": "echo editor >"], "editor")] {
            try VMEditor.terminalEditor(environment: environment)(path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == expected + "\n")
        }
    }

    // MARK: Device XML

    @Test func deviceXMLIsTheDeviceAlone() throws {
        let disk = Disk(source: .file("/var/lib/libvirt/images/web1-vdb.qcow2"), target: "vdb", format: .qcow2, serial: "vmctl-vdb")
        #expect(try disk.deviceXML() == """
            <disk type='file' device='disk'>
              <driver name='qemu' type='qcow2'/>
              <source file='/var/lib/libvirt/images/web1-vdb.qcow2'/>
              <target dev='vdb' bus='virtio'/>
              <serial>vmctl-vdb</serial>
            </disk>

            """)
        let nic = NetworkInterface(source: .network("lab-mgmt"), mac: try MACAddress("52:54:00:00:00:aa"))
        #expect(try nic.deviceXML() == """
            <interface type='network'>
              <mac address='52:54:00:00:00:aa'/>
              <source network='lab-mgmt'/>
              <model type='virtio'/>
            </interface>

            """)
        #expect(throws: ModelError.self) { try Disk(source: .file("relative.img"), target: "vdb").deviceXML() }
    }

    // MARK: The binary

    @Test(arguments: [
        (["suspend", "lab-storage"], "vm suspend: 'lab-storage' is shut off, not running"),
        (["resume", "lab-storage"], "vm resume: 'lab-storage' is shut off, not paused; start it with vmctl vm start lab-storage"),
        (["attach-disk", "lab-storage", "--size", "1G", "--target", "hda", "--pool", "lab-pool"],
         #"--target: "hda" is not allowed: vd followed by one or two lowercase letters (vdb … vdzz)"#),
        (["detach-disk", "lab-storage", "vdb"], "target: 'lab-storage' has no disk vdb"),
        (["attach-nic", "lab-storage", "--network", "lab-mgmt,mac=52:54:00:00:00:01"],
         "--network mac: 52:54:00:00:00:01 is already used by 'lab-controller' on network=lab-mgmt"),
        (["detach-nic", "lab-controller", "52:54:00:00:00:02"], "mac: 'lab-controller' has no interface 52:54:00:00:00:02"),
        (["set", "lab-storage", "--vcpus", "999"], "--vcpus: 999 is not allowed: must be 1 to 512"),
        (["set", "lab-storage", "--memory", "1G", "--live"], "--live: 'lab-storage' is not running; leave --live out to change its definition"),
        (["autostart", "nope"], "vm: no domain named 'nope'"),
        (["edit", "nope"], "vm: no domain named 'nope'"),
        (["rename", "lab-storage", "a/b"],
         #"new name: "a/b" is not allowed: use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most 64 characters"#),
    ])
    func binaryRefusesInOneLine(arguments: [String], message: String) throws {
        let result = try runVMCtl(["vm"] + arguments + ["--connect", Fixture.nodeURI, "-o", "json"])
        #expect(result.status == 64)
        #expect(result.errors == "vmctl: error: " + message + "\n")
        #expect(result.output.isEmpty)
    }

    @Test func binaryPrintsTheChangeAsTextOrJSON() throws {
        let text = try runVMCtl(["vm", "set", "lab-storage", "--memory", "1G", "--vcpus", "2", "--connect", Fixture.nodeURI])
        #expect(text.output == "set memory 1 GiB, 2 vCPUs on lab-storage (persistent only)\n", "\(text.errors)")
        let json = try runVMCtl(["vm", "rename", "lab-storage", "lab-archive", "--connect", Fixture.nodeURI, "-o", "json"])
        #expect(json.output == """
            {
              "action" : "renamed",
              "name" : "lab-archive",
              "previousName" : "lab-storage"
            }

            """, "\(json.errors)")
    }
}
