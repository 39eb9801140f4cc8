import Foundation
import Libvirt
import LibvirtXML
import Testing
import VMCtlKit

/// The daily verbs (`vm suspend`, `resume`, `attach-disk`, `detach-disk`,
/// `attach-nic`, `detach-nic`, `set`, `autostart`, `edit`, `rename`) through the
/// `vmctl` binary on the real libvirtd and the busybox test guest: each change
/// is read back from the running domain and from the persistent definition,
/// and each refused change leaves both as they were.
@Suite(.enabled(if: Daemon.enabled), .serialized) struct IntegrationDailyVerbTests {
    /// Runs `vmctl vm ARGS… -c qemu:///system -o json` and decodes its result.
    func verb(_ arguments: [String], environment: [String: String]? = nil) throws -> VMChangeResult {
        let result = try runVerb(arguments, environment: environment)
        try #require(result.status == 0, "vm \(arguments): \(result.errors)")
        return try JSONDecoder().decode(VMChangeResult.self, from: Data(result.output.utf8))
    }

    /// Blocking, as the other real-guest suites' sync tests are (an async test
    /// must not hold a cooperative thread while a guest boots).
    func runVerb(_ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String, errors: String) {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment ?? [:] { env[key] = value }
        let result = try ChildProcess.run(vmctlBinary(), ["vm"] + arguments + ["-c", Daemon.uri, "-o", "json"], environment: env, timeout: 300)
        return (result.status, result.output, result.errors)
    }

    /// Bad input: exit 64, one line on stderr naming `field`, nothing on stdout.
    func refused(_ arguments: [String], field: String, environment: [String: String]? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try runVerb(arguments, environment: environment)
        #expect(result.status == 64, "vm \(arguments): \(result.errors)", sourceLocation: sourceLocation)
        #expect(result.errors.hasPrefix("vmctl: error: \(field): "), "vm \(arguments): \(result.errors)", sourceLocation: sourceLocation)
        #expect(result.errors.split(separator: "\n").count == 1, sourceLocation: sourceLocation)
        #expect(result.output.isEmpty, sourceLocation: sourceLocation)
        return result.errors
    }

    func definitions(_ domain: Domain) throws -> (live: DomainDefinition, config: DomainDefinition) {
        (try DomainDefinition(xml: domain.xml()), try DomainDefinition(xml: domain.xml([.inactive])))
    }

    /// A running test guest made by `vm create`'s planner (linked clone of the
    /// base, a NAT network, a virtio balloon), ready on its serial console.
    func bootGuest(_ scope: TestScope) throws -> (lab: IntegrationVMTests.Lab, name: String, domain: Domain) {
        let lab = try IntegrationVMTests.Lab(scope)
        let name = scope.name("vm")
        var request = lab.createRequest(name, marker: nil)
        request.start = true
        let creator = VMCreator(connection: scope.connection)
        let domain = try creator.run(try creator.plan(request, domainType: .init(type: .qemu, warnings: [])))
        let ready = waitUntil(seconds: 90) { serialLines(lab.serialLog(name)).contains("VMCTL-TEST-GUEST: ready") }
        try #require(ready, "never ready: \(serialLines(lab.serialLog(name)).suffix(8))")
        return (lab, name, domain)
    }

    @Test func suspendResumeAndAutostart() throws {
        let scope = try TestScope("verbh-power")
        defer { scope.clean() }
        let (_, name, domain) = try bootGuest(scope)
        // suspend / resume
        #expect(try verb(["suspend", name]).action == "suspended")
        #expect(try domain.state().state == .paused)
        #expect(try verb(["suspend", name]).action == "unchanged")
        #expect(try verb(["resume", name]).action == "resumed")
        #expect(try domain.state().state == .running)

        // autostart on and off
        #expect(try verb(["autostart", name]).autostart == true)
        #expect(try domain.autostart())
        #expect(try verb(["autostart", name, "--disable"]).autostart == false)
        #expect(try !domain.autostart())
        try domain.destroy()
        _ = try refused(["suspend", name], field: "vm suspend")
        _ = try refused(["resume", name], field: "vm resume")
        #expect(try domain.state().state == .shutOff)
    }

    @Test func attachAndDetachDisksAndNICs() throws {
        let scope = try TestScope("verbh-devices")
        defer { scope.clean() }
        let (lab, name, domain) = try bootGuest(scope)

        // attach-disk: a new volume, live and persistent, recorded as vmctl's.
        let attached = try verb(["attach-disk", name, "--size", "8M", "--pool", lab.poolName])
        #expect(attached.scope == ChangeScope(live: true, config: true))
        #expect(attached.device?.target == "vdb")
        #expect(attached.device?.createdVolume == "\(lab.poolName)/\(name)-vdb.qcow2")
        var (live, config) = try definitions(domain)
        #expect(live.disks.map(\.target) == ["vda", "vdb"])
        #expect(config.disks.map(\.target) == ["vda", "vdb"])
        #expect(config.metadata?.volumes.contains(.init(.pool(pool: try ObjectName(lab.poolName), volume: try ObjectName("\(name)-vdb.qcow2")),
                                                        createdByVMCtl: true)) == true)
        // The same target again, or an existing image at vdb: refused, nothing made.
        let volumesBefore = try lab.pool.volumes().map(\.name).sorted()
        _ = try refused(["attach-disk", name, "--size", "8M", "--pool", lab.poolName, "--target", "vdb"], field: "--target")
        _ = try refused(["attach-disk", name, "--source", "\(lab.poolName)/\(name)-vdb.qcow2"], field: "--source")
        #expect(try lab.pool.volumes().map(\.name).sorted() == volumesBefore)

        // attach-nic with a chosen MAC; the MAC again is refused.
        let mac = "52:54:00:7e:0b:01"
        let nic = try verb(["attach-nic", name, "--network", "\(lab.network),mac=\(mac)"])
        #expect(nic.device?.mac == mac)
        (live, config) = try definitions(domain)
        #expect(live.interfaces.compactMap(\.mac).map(\.description).contains(mac))
        #expect(config.interfaces.compactMap(\.mac).map(\.description).contains(mac))
        _ = try refused(["attach-nic", name, "--network", "\(lab.network),mac=\(mac)"], field: "--network mac")
        #expect(try definitions(domain).config.interfaces.count == 2)

        // detach-nic and detach-disk, live and persistent (the guest releases them).
        #expect(try verb(["detach-nic", name, mac]).action == "detached")
        #expect(try definitions(domain).config.interfaces.count == 1)
        #expect(waitUntil(seconds: 60) { (try? definitions(domain).live.interfaces.count) == 1 }, "the guest kept the NIC")
        #expect(try verb(["detach-disk", name, "vdb"]).action == "detached")
        #expect(try definitions(domain).config.disks.map(\.target) == ["vda"])
        #expect(waitUntil(seconds: 60) { (try? definitions(domain).live.disks.map(\.target)) == ["vda"] }, "the guest kept the disk")
        _ = try refused(["detach-disk", name, "vdb"], field: "target")

        // Shut off, a change goes to the definition alone; --live is refused.
        // The detached volume is still there: attached again by name, at vdb.
        try domain.destroy()
        let volume = "\(lab.poolName)/\(name)-vdb.qcow2"
        _ = try refused(["attach-disk", name, "--size", "8M", "--pool", lab.poolName], field: "--pool")
        let again = try verb(["attach-disk", name, "--source", volume])
        #expect(again.scope == ChangeScope(live: false, config: true))
        #expect(again.device?.createdVolume == nil)
        #expect(try definitions(domain).config.disks.map(\.target) == ["vda", "vdb"])
        _ = try refused(["detach-disk", name, "vdb", "--live"], field: "--live")
        // It stayed recorded as vmctl's, so vm delete removes it.
        let deleted = try VMDeleter(connection: scope.connection).delete(name, force: true)
        #expect(deleted.deletedVolumes.contains(volume), "\(deleted)")
    }

    @Test func setMemoryAndVCPUs() throws {
        let scope = try TestScope("verbh-set")
        defer { scope.clean() }
        let (_, name, domain) = try bootGuest(scope)

        // Running: memory through the balloon and in the definition; above the boot maximum refused.
        let set = try verb(["set", name, "--memory", "128M"])
        #expect(set.memoryBytes == 128 << 20)
        #expect(set.scope == ChangeScope(live: true, config: true))
        // The running size follows once the guest's balloon driver gives memory
        // back; the busybox guest has none, so only the definition is read back.
        #expect(try definitions(domain).config.memory == .mib(128))
        #expect(try definitions(domain).live.memory == .mib(192))
        _ = try refused(["set", name, "--memory", "1G"], field: "--memory")
        _ = try refused(["set", name, "--vcpus", "2"], field: "--vcpus")
        #expect(try domain.vcpuCount(.live) == 1)
        #expect(try definitions(domain).config.memory == .mib(128))

        // Shut off, the definition may grow past what it booted with.
        try domain.destroy()
        let grown = try verb(["set", name, "--memory", "256M", "--vcpus", "2"])
        #expect(grown.scope == ChangeScope(live: false, config: true))
        let config = try definitions(domain).config
        #expect(config.memory == .mib(256))
        #expect(config.currentMemory == nil || config.currentMemory == .mib(256))
        #expect(config.vcpus == 2)
        try domain.start()
        #expect(try domain.info().vcpus == 2)
        #expect(try domain.info().maxMemoryKiB == 256 * 1024)
    }

    @Test func editAndRename() throws {
        let scope = try TestScope("verbh-edit")
        defer { scope.clean() }
        let (lab, name, domain) = try bootGuest(scope)
        let connection = scope.connection

        // edit: the XML as written (an element vmctl's model does not know survives); name changes refused.
        let inactiveBefore = try domain.xml([.inactive])
        let renaming = "sed -i 's#<name>\(name)</name>#<name>\(name)-x</name>#'"
        let message = try refused(["edit", name], field: "name", environment: ["VISUAL": "", "EDITOR": renaming])
        let kept = try #require(message.split(separator: "the edit is kept in ").last).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(FileManager.default.fileExists(atPath: kept))
        try? FileManager.default.removeItem(atPath: (kept as NSString).deletingLastPathComponent)
        #expect(try domain.xml([.inactive]) == inactiveBefore)
        let sysinfo = "<sysinfo type=\"smbios\"><system><entry name=\"serial\">verbh-42</entry></system></sysinfo>"
        let adding = "sed -i 's#</name>#</name>\(sysinfo)#'"
        #expect(try verb(["edit", name], environment: ["VISUAL": "", "EDITOR": adding]).action == "edited")
        #expect(try domain.xml([.inactive]).contains("verbh-42"))
        #expect(try verb(["edit", name], environment: ["VISUAL": "", "EDITOR": "true"]).action == "unchanged")

        // rename: refused while running; shut off, vmctl's record of its volumes still holds.
        let newName = scope.name("renamed")
        _ = try refused(["rename", name, newName], field: "vm rename")
        try domain.destroy()
        #expect(try verb(["rename", name, newName]).name == newName)
        #expect(throws: LibvirtError.self) { try connection.domain(named: name) }
        let renamed = try connection.domain(named: newName)
        #expect(try renamed.xml([.inactive]).contains("verbh-42"))
        let deleted = try VMDeleter(connection: connection).delete(newName, force: true)
        #expect(deleted.deletedVolumes == ["\(lab.poolName)/\(name).qcow2"], "\(deleted)")
    }
}
