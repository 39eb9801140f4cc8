import Foundation
import Testing
import VMCtlKit

/// `vmctl lab check` on the real-guest OpenStack-shaped lab (issue 22): it
/// passes right after `lab up`; then each rule is broken in one guest, seen
/// to fail alone, and restored before the next, as other steps run on this lab after these.
extension IntegrationCloudLabTests {
    /// One `lab check --output json`: its status and the failures as `NODE: RULE`.
    func labCheck(_ planPath: String) async throws -> (status: Int32, failures: [String], text: String) {
        let run = try await runVMCtl(["lab", "check", planPath, "-c", Daemon.uri, "--output", "json"], timeout: 600)
        let report = try? JSONDecoder().decode(LabCheckReport.self, from: Data(run.output.utf8))
        try #require(report != nil, "lab check -o json: \(run.status) \(run.output) \(run.errors)")
        return (run.status, report!.failures.map { "\($0.node): \($0.rule)" }, report!.text)
    }

    /// Runs `script` as root in `node` through `lab ssh`; fails the test when it fails.
    func asRoot(_ planPath: String, _ node: String, _ script: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let run = try await runVMCtl(["lab", "ssh", planPath, node, "-c", Daemon.uri, "--", "sudo", "sh", "-ec", script], timeout: 300)
        #expect(run.status == 0, "\(node): \(script): \(run.output) \(run.errors)", sourceLocation: sourceLocation)
    }

    /// Checks until every rule passes, within `seconds` (a guest's chrony
    /// needs a few polls to synchronize after it starts).
    func expectCheckPasses(_ planPath: String, within seconds: Double, _ why: String) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        var last = try await labCheck(planPath)
        while last.status != 0, Date() < deadline {
            try await Task.sleep(for: .seconds(5))
            last = try await labCheck(planPath)
        }
        #expect(last.status == 0 && last.failures.isEmpty, "\(why): \(last.text)")
    }

    func kollaCheckSteps(planPath: String, lab: String) async throws {
        // Right after lab up, every rule passes on every node: no retry here.
        let clock = ContinuousClock()
        let started = clock.now
        let text = try await runVMCtl(["lab", "check", planPath, "-c", Daemon.uri], timeout: 600)
        #expect(text.status == 0, "lab check right after lab up: \(text.output) \(text.errors)")
        #expect(text.output.hasPrefix("\(lab): all 13 rules pass on 3 nodes (controller, compute, storage)"), "\(text.output)")
        print("lab check on 3 real guests: \(clock.now - started)")

        // kolla-globals' router id is the lab's recorded one.
        let routerID = try #require(RouterID.current(lab: lab))
        let globals = try await runVMCtl(["lab", "kolla-globals", planPath, "-c", Daemon.uri])
        #expect(globals.output.contains("keepalived_virtual_router_id: \"\(routerID)\""), "\(globals.output)")

        // Host names: Debian's 127.0.1.1 line for the node's own name.
        try await asRoot(planPath, "storage", "echo '127.0.1.1 storage.lab storage' >> /etc/hosts")
        var check = try await labCheck(planPath)
        #expect(check.status == 1 && check.failures == ["storage: hostnames"], "\(check.text)")
        try await asRoot(planPath, "storage", "sed -i '/^127.0.1.1 storage.lab storage$/d' /etc/hosts")

        // Time: chrony stopped.
        try await asRoot(planPath, "compute", "systemctl stop chrony")
        check = try await labCheck(planPath)
        #expect(check.status == 1 && check.failures == ["compute: ntp"], "\(check.text)")
        try await asRoot(planPath, "compute", "systemctl start chrony; chronyc waitsync 60 0 0 2 >/dev/null")

        // neutron_external_interface with an address (a documentation address: nothing is sent).
        try await asRoot(planPath, "controller", "ip addr add 198.51.100.7/32 dev ens4")
        check = try await labCheck(planPath)
        #expect(check.status == 1 && check.failures == ["controller: external-interface"], "\(check.text)")
        try await asRoot(planPath, "controller", "ip addr del 198.51.100.7/32 dev ens4")

        // The storage node's volume group removed (its PV stays, so it is made again on the same disk).
        try await asRoot(planPath, "storage", "vgremove -f cinder-volumes >/dev/null")
        check = try await labCheck(planPath)
        #expect(check.status == 1 && check.failures == ["storage: cinder-volumes"], "\(check.text)")
        try await asRoot(planPath, "storage", "vgcreate cinder-volumes /dev/vdb >/dev/null")

        // A second lab recorded on this host with the same router id: its state is what the rule reads.
        let stateDirectory = ProcessInfo.processInfo.environment["VMCTL_LAB_STATE_DIR"] ?? "/var/lib/vmctl/labs"
        let other = stateDirectory + "/vmctl-test-h22r-other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try #"{"hosts": {}, "networks": {}, "keepalivedRouterID": \#(routerID)}"#.write(toFile: other + "/state.json", atomically: true, encoding: .utf8)
        check = try await labCheck(planPath)
        try? FileManager.default.removeItem(atPath: other)
        #expect(check.status == 1 && check.failures == ["\(lab): router-id"], "\(check.text)")

        // Everything restored: the lab is as lab up left it (chrony resynchronizes within a few polls).
        try await expectCheckPasses(planPath, within: 300, "after restoring every rule")
    }
}
