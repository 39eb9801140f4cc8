import Foundation
import Libvirt
import LibvirtXML
import Testing
@testable import VMCtlKit

/// Bad input that is refused while planning, on the test driver's node
/// (Fixtures/libvirt/test-node.xml: lab-controller's NIC 52:54:00:00:00:01 on
/// lab-mgmt, base.qcow2 of 2 GiB in lab-pool of 100 GiB): one `field: rule`
/// line, status 64, before anything is made.
@Suite struct BadInputPlanTests {
    func request(_ change: (inout VMCreateRequest) -> Void) -> VMCreateRequest {
        var request = VMCreateRequest(name: "bad1")
        request.diskSize = "8M"
        request.pool = "lab-pool"
        change(&request)
        return request
    }

    /// The plan's error message, or nil when it plans.
    func planError(_ connection: Connection, _ change: (inout VMCreateRequest) -> Void) -> String? {
        let creator = VMCreator(connection: connection)
        let error = vmctlError { () throws(VMCtlError) in _ = try creator.plan(request(change), domainType: .init(type: .qemu, warnings: [])) }
        if let error { #expect(error.status == .usage, "\(error.message)") }
        return error?.message
    }

    @Test func eachKeyOfASpecIsGivenOnce() throws {
        for (spec, key) in [("net,mac=52:54:00:00:00:09,mac=52:54:00:00:00:08", "mac"), ("net,device=eth0,device=eth1", "device"),
                            ("net,model=virtio,model=e1000", "model"), ("net,mac=52:54:00:00:00:09,device=eth0,mac=52:54:00:00:00:09", "mac")] {
            let error = vmctlError { () throws(VMCtlError) in _ = try NetworkSpec(spec) }
            #expect(error?.message == "--network: \(key)= is given twice in \"\(spec)\"")
        }
        #expect(try NetworkSpec("net,mac=52:54:00:00:00:09,model=e1000,device=eth1").device == "eth1")
        let disk = vmctlError { () throws(VMCtlError) in _ = try DataDiskSpec("1G,vg=a,vg=b") }
        #expect(disk?.message == "--disk: vg= is given twice in \"1G,vg=a,vg=b\"")
        #expect(try DataDiskSpec("1G,vg=a").volumeGroup == "a")
    }

    @Test func allZeroMACIsNoNICs() throws {
        for field in ["--mac", "--network mac"] {
            let error = vmctlError { () throws(VMCtlError) in _ = try MACAddress.given("00:00:00:00:00:00", field: field) }
            #expect(error?.message == "\(field): \"00:00:00:00:00:00\" is not allowed: the all-zero address is no NIC's")
        }
        #expect(vmctlError { () throws(VMCtlError) in _ = try NetworkSpec("net,mac=00:00:00:00:00:00") } != nil)
        #expect(try MACAddress.given("00:00:00:00:00:01", field: "--mac").description == "00:00:00:00:00:01")
    }

    @Test func macHeldOnTheNetworkIsRefused() throws {
        let connection = try Fixture.connection()
        #expect(planError(connection) { $0.networks = [try! NetworkSpec("lab-mgmt,mac=52:54:00:00:00:01")] }
            == "--network mac: 52:54:00:00:00:01 is already used on network 'lab-mgmt' by domain 'lab-controller'")
        // A reservation for another host holds its MAC; one for this VM is what pins its address.
        _ = try NetworkService(connection: connection).reserve("lab-mgmt", mac: "52:54:00:00:00:07", ip: "10.77.0.7", host: "other")
        _ = try NetworkService(connection: connection).reserve("lab-mgmt", mac: "52:54:00:00:00:08", ip: "10.77.0.8", host: "bad1")
        #expect(planError(connection) { $0.networks = [try! NetworkSpec("lab-mgmt,mac=52:54:00:00:00:07")] }
            == "--network mac: 52:54:00:00:00:07 is already used on network 'lab-mgmt' by the reservation of 10.77.0.7 for 'other'")
        #expect(planError(connection) { $0.networks = [try! NetworkSpec("lab-mgmt,mac=52:54:00:00:00:08")] } == nil)
        #expect(planError(connection) { $0.networks = [try! NetworkSpec("lab-mgmt,mac=52:54:00:00:00:09")] } == nil)
        // A network the caller's plan makes first holds nobody yet.
        var creator = VMCreator(connection: connection)
        creator.pending.networks = ["lab-mgmt"]
        _ = try creator.plan(request { $0.networks = [try! NetworkSpec("lab-mgmt,mac=52:54:00:00:00:01")] }, domainType: .init(type: .qemu, warnings: []))
    }

    @Test func rootDiskIsNotSmallerThanItsImage() throws {
        let connection = try Fixture.connection()
        #expect(planError(connection) { $0.image = .volume(pool: "lab-pool", name: "base.qcow2"); $0.diskSize = "1G" }
            == "--disk-size: \"1G\" is not allowed: smaller than the image 'lab-pool/base.qcow2' (2.0 GiB); give at least that")
        #expect(planError(connection) { $0.image = .volume(pool: "lab-pool", name: "base.qcow2"); $0.diskSize = "2G" } == nil)
        #expect(planError(connection) { $0.image = .volume(pool: "lab-pool", name: "base.qcow2"); $0.diskSize = nil } == nil)
    }

    @Test func volumesLargerThanTheirPoolAreRefused() throws {
        let connection = try Fixture.connection()
        #expect(planError(connection) { $0.diskSize = "101G" }
            == "--disk-size: 101 GiB is not allowed: more than pool 'lab-pool' holds (100.0 GiB in all)")
        #expect(planError(connection) { $0.dataDisks = [DataDiskSpec(size: .gib(1)), DataDiskSpec(size: .tib(2))] }
            == "--disk: 2 TiB is not allowed: more than pool 'lab-pool' holds (100.0 GiB in all)")
        // Thin volumes may together promise more than the free space (90 GiB), one at a time within the pool.
        #expect(planError(connection) { $0.diskSize = "100G"; $0.dataDisks = [DataDiskSpec(size: .gib(100))] } == nil)

        let storage = StorageService(connection: connection)
        let create = vmctlError { () throws(VMCtlError) in
            _ = try storage.createVolume(pool: "lab-pool", name: "big.qcow2", size: "101G", format: nil, backing: nil)
        }
        #expect(create?.message == "--size: 101 GiB is not allowed: more than pool 'lab-pool' holds (100.0 GiB in all)")
        let resize = vmctlError { () throws(VMCtlError) in _ = try storage.resizeVolume(pool: "lab-pool", name: "data.raw", size: "1T", shrink: false) }
        #expect(resize?.message == "size: 1 TiB is not allowed: more than pool 'lab-pool' holds (100.0 GiB in all)")

        func rule(_ bytes: UInt64, written: Bool) -> String? {
            StorageService.roomRule(bytes, written: written, pool: "p", capacity: 100 << 30, available: 10 << 30)
        }
        #expect(rule(50 << 30, written: false) == nil)
        #expect(rule(50 << 30, written: true) == "a copy of 50 GiB is not allowed: pool 'p' has 10.0 GiB free")
        #expect(rule(10 << 30, written: true) == nil)
        #expect(rule(101 << 30, written: false) == "101 GiB is not allowed: more than pool 'p' holds (100.0 GiB in all)")
    }

    /// `vm clone --count`: what the clones would make is checked before the first of them.
    @Test func cloneCountIsCheckedBeforeTheFirstClone() throws {
        let connection = try Fixture.connection()
        // data.raw: 1 GiB allocated in lab-pool, which the test driver counts 98.7 GiB free.
        let disk = Disk(source: .file("/lab-pool/data.raw"), target: "vda", bus: .virtio, format: .raw)
        let definition = DomainDefinition(type: "test", name: ObjectName("src"), memory: .mib(64), os: OSDefinition(), disks: [disk])
        _ = try connection.defineDomain(xml: try definition.xml())
        let cloner = VMCloner(connection: connection)
        let full = vmctlError { () throws(VMCtlError) in try cloner.clone(source: "src", as: "copy", mode: .full, count: 99) }
        #expect(full?.message == "--count: a copy of 99 GiB is not allowed: pool 'lab-pool' has 98.7 GiB free")
        let long = String(repeating: "c", count: 60)
        let named = vmctlError { () throws(VMCtlError) in try cloner.clone(source: "src", as: long, mode: .full, count: 2) }
        #expect(named?.message == "name: '\(long)-1' is too long for its volumes: '\(long)-1.qcow2' breaks the rule (\(ObjectName.rule))")
        #expect(try connection.domains().map(\.name).sorted() == ["lab-compute1", "lab-controller", "lab-storage", "src"])
        #expect(try connection.storagePool(named: "lab-pool").volumes().map(\.name).sorted() == ["base.qcow2", "data.raw"])
    }

    /// A lab's node disk on a pool the lab makes is measured against the file
    /// system the pool's directory will be on.
    @Test func labDiskOnANewPoolIsMeasuredAgainstItsFileSystem() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-newpool-\(UUID().uuidString)").path
        let space = try #require(StorageService.localSpace(under: "\(root)/not/yet"))
        #expect(space.capacity > 0 && space.capacity >= space.available)
        #expect(StorageService.localSpace(under: "/") != nil)
        func plan(_ size: String) throws -> String {
            """
            lab: t
            serial_dir: \(root)/serial
            pools: [{name: newp, target: \(root)/newp}]
            nodes:
              - {name: n1, disk_size: \(size), pool: newp}
            """
        }
        let tooBig = try LabPlan.parse(try plan("9999T"), file: "p", defaultURI: Fixture.nodeURI)
        let error = vmctlError { () throws(VMCtlError) in _ = try LabRunner(plan: tooBig).planChanges() }
        #expect(error?.message == "p:5: nodes[0].disk_size: 9999 TiB is not allowed: more than pool 'newp' holds (\(human(space.capacity)) in all)")
        let fits = try LabPlan.parse(try plan("16M"), file: "p", defaultURI: Fixture.nodeURI)
        #expect(try LabRunner(plan: fits).planChanges().steps.contains("local: create pool newp"))
    }

    @Test func cpuModelIsOneTheHypervisorKnows() throws {
        let connection = try Fixture.connection()
        // The test driver gives no domain capabilities: its CPU model list is used.
        #expect(planError(connection) { $0.cpu = "NoSuchModel" }?.hasPrefix("--cpu: \"NoSuchModel\" is not a CPU model this hypervisor knows (") == true)
        #expect(planError(connection) { $0.cpu = "pentium" } == nil)
        #expect(planError(connection) { $0.cpu = "host-model" } == nil)
    }

    @Test func serialLogSitsInADirectoryAndIsNotOne() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-serial-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "x".write(toFile: "\(root)/file", atomically: true, encoding: .utf8)

        // One rule for serial log files (SerialLogFile.rule): the ledger is the test's own.
        let logs = SerialLogFile(ledger: URL(fileURLWithPath: root + "/state/serial-logs.json"))
        func rule(_ path: String, madeFirst: Set<String> = []) -> String? {
            logs.rule(path, domain: "vm", local: true, pendingDirectories: madeFirst)
        }
        #expect(rule("\(root)/a.log") == nil)
        #expect(rule("\(root)/file") == "exists; vmctl writes a serial log only to a file it created for this VM (remove it or give another path)")
        #expect(rule("relative.log") == "must be an absolute path")
        #expect(rule(root) == "exists and is a directory; vmctl writes a serial log only to a file it creates")
        #expect(rule("\(root)/new/") == "names a directory; give the path of a file in it")
        #expect(rule("\(root)/missing/a.log") == "is in \(root)/missing, which does not exist")
        #expect(rule("\(root)/missing/a.log", madeFirst: ["\(root)/missing"]) == nil)
        #expect(rule("\(root)/file/a.log") == "is in \(root)/file, which is a regular file, not a directory")

        #expect(SerialLogPath.directoryRule(root) == nil)
        #expect(SerialLogPath.directoryRule("\(root)/new/deeper") == nil)
        #expect(SerialLogPath.directoryRule("\(root)/file") == "\(root)/file is not a directory")
        #expect(SerialLogPath.directoryRule("\(root)/file/sub") == "\(root)/file/sub cannot be made: \(root)/file is not a directory")

        let connection = try Fixture.connection()
        #expect(planError(connection) { $0.serialFile = "\(root)/missing/a.log" }
            == "--serial-file: \"\(root)/missing/a.log\" is not allowed: is in \(root)/missing, which does not exist")
    }

    /// Every plan scalar must have its field's type; the issue names the field and its line.
    @Test func planScalarsHaveTheirFieldsType() throws {
        let base = """
            lab: demo
            workers: 2
            networks:
              - {name: mgmt, subnet: 10.9.0.0/24}
            nodes:
              - name: web
                image: base.qcow2
                networks: [mgmt]
                cloud_init: {timezone: UTC}
            """
        #expect(try LabPlan.parse(base, defaultURI: "qemu:///system").nodes.map(\.roles) == [["web"]])
        let cases: [(String, String, String)] = [
            ("lab: demo", "lab: 123", "p:1: lab: \"123\" is a number, not text; quote it (\"123\") if text is meant"),
            ("lab: demo", "lab: yes", "p:1: lab: \"yes\" is true or false, not text; quote it (\"yes\") if text is meant"),
            ("lab: demo", "lab: ~", "p:1: lab: \"~\" is empty (null), not text; quote it (\"~\") if text is meant"),
            ("workers: 2", "workers: \"2\"", "p:2: workers: \"2\" is not allowed: a whole number from 1 to 32"),
            ("workers: 2", "workers: 2.0", "p:2: workers: \"2.0\" is not allowed: a whole number from 1 to 32"),
            ("  - name: web", "  - name: 7", "p:6: nodes[0].name: \"7\" is a number, not text; quote it (\"7\") if text is meant"),
            ("timezone: UTC", "timezone: no", "p:9: nodes[0].cloud_init.timezone: \"no\" is true or false, not text; quote it (\"no\") if text is meant"),
            ("networks: [mgmt]", "networks: [mgmt]\n    roles: [all]", "p:9: nodes[0].roles[0]: \"all\" is not allowed: a group Ansible makes itself"),
            ("networks: [mgmt]", "networks: [mgmt]\n    roles: [web, ungrouped]", "p:9: nodes[0].roles[1]: \"ungrouped\" is not allowed: a group Ansible makes itself"),
            ("networks: [mgmt]", "networks: [mgmt]\n    role: [web]", "p:9: nodes[0].role: must be a single value"),
            ("networks: [mgmt]", "networks: [mgmt]\n    count: \"3\"", "p:9: nodes[0].count: \"3\" is not allowed: a whole number from 1 to 64"),
            ("networks: [mgmt]", "networks: [mgmt]\n    memory: true", "p:9: nodes[0].memory: \"true\" is not allowed: \(ByteSize.rule)"),
        ]
        for (old, new, expected) in cases {
            let text = base.replacingOccurrences(of: old, with: new)
            let error = #expect(throws: PlanError.self, "\(new)") { try LabPlan.parse(text, file: "p", defaultURI: "qemu:///system") }
            #expect(error?.description == expected)
        }
        // Quoted, a number is text; a plain number is a size in bytes.
        let quoted = try LabPlan.parse(base.replacingOccurrences(of: "lab: demo", with: "lab: \"123\""), defaultURI: "qemu:///system")
        #expect(quoted.name == "123")
        let sized = base.replacingOccurrences(of: "networks: [mgmt]", with: "networks: [mgmt]\n    memory: 1073741824\n    role: web")
        #expect(try LabPlan.parse(sized, defaultURI: "qemu:///system").nodes.first.map { ($0.memory, $0.roles) } ?? ("", []) == ("1073741824", ["web"]))
    }
}
