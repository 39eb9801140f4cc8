import Foundation
import Libvirt
import LibvirtXML
import Testing
import VMCtlKit

/// Checkpoint and revert on the real-guest OpenStack-shaped lab (called from
/// IntegrationCloudLabTests.openStackLabIsReadyForAnsibleWhenLabUpReturns,
/// before its lab down): a file written in every guest, a checkpoint, the
/// files changed and a service stopped, a revert; then Ansible reaches every
/// node at once, every file and service is as at the checkpoint, every clock
/// is within 2 s of the host's, and the checkpoint paused every node together,
/// on both hosts. The node on the second host runs without its guest agent
/// at the checkpoint, so the revert must set its clock over SSH.
extension IntegrationCloudLabTests {
    func checkpointSteps(planPath: String, directory: String, nodes: [String], environment: [String: String]) async throws {
        var controlPaths = directory + "/ansible-cp-before"
        func ansible(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
            try await runOffThePool("/usr/bin/ansible", ["all:!localhost", "-i", directory + "/inventory"] + arguments,
                                    environment: environment.merging(["ANSIBLE_SSH_CONTROL_PATH_DIR": controlPaths]) { $1 }, timeout: 300)
        }
        let file = "/var/tmp/vmctl-checkpoint"
        let written = try await ansible(["-b", "-m", "shell", "-a", "echo saved-{{ inventory_hostname }} > \(file) && sync"])
        try #require(written.status == 0, "writing the files: \(written.output) \(written.errors)")

        // No guest agent in the away node from here: its memory in the checkpoint has none running.
        let agentless = Self.awayNode
        try await asRoot(planPath, agentless, "systemctl stop qemu-guest-agent")
        try await expectAgent(planPath, agentless, connected: false)

        // The checkpoint: every node paused before the first snapshot and resumed after the last.
        let taken = try await runVMCtl(["lab", "checkpoint", planPath, "c1", "-c", Daemon.uri, "--output", "json"], timeout: 900)
        try #require(taken.status == 0, "lab checkpoint: \(taken.errors)")
        let checkpoint = try JSONDecoder().decode(LabCheckpoint.self, from: Data(taken.output.utf8))
        #expect(Set(checkpoint.nodes.map(\.name)) == Set(nodes))
        #expect(checkpoint.nodes.allSatisfy { $0.memory })
        // Both hosts' nodes in one checkpoint; the agent was seen gone where it was stopped.
        #expect(checkpoint.nodes.first { $0.name == agentless }?.host == "host2" && Set(checkpoint.nodes.map(\.host)) == ["local", "host2"],
                "\(checkpoint.nodes.map { "\($0.name)@\($0.host)" })")
        for node in checkpoint.nodes {
            #expect(node.agentConnected == (node.name != agentless), "\(node.name): agent connected \(String(describing: node.agentConnected))")
        }
        let from = try #require(checkpoint.allPausedFrom)
        let until = try #require(checkpoint.allPausedUntil)
        let pauseStarts = checkpoint.nodes.compactMap(\.paused)
        let pauseEnds = checkpoint.nodes.compactMap(\.resumed)
        #expect(pauseStarts.count == nodes.count && pauseEnds.count == nodes.count)
        // The same moments for every node, within the lab's own measurement: each
        // pause began inside the pause step and ended inside the resume step, and
        // every snapshot was taken while all were paused.
        let pauseStep = (pauseStarts.max() ?? 0) - (checkpoint.nodes.compactMap(\.pauseRequested).min() ?? 0)
        let resumeStep = (pauseEnds.max() ?? 0) - (checkpoint.nodes.compactMap(\.resumeRequested).min() ?? 0)
        #expect(pauseStep < 1 && resumeStep < 1, "pauses began over \(pauseStep) s and ended over \(resumeStep) s")
        for node in checkpoint.nodes {
            #expect((node.paused ?? .infinity) <= from && (node.resumed ?? 0) >= until, "\(node.name) ran during the checkpoint: \(node)")
            #expect((node.snapshotSeconds ?? .infinity) <= until - from, "\(node.name)'s snapshot outlasted the common pause")
        }
        print("checkpoint of \(nodes.count) real guests: all paused together for \(until - from) s; pause step \(pauseStep) s, resume step \(resumeStep) s; snapshots \(checkpoint.nodes.map { "\($0.name) \($0.snapshotSeconds ?? 0) s" })")

        // Changed after the checkpoint: the files, and the guest agent stopped.
        let changed = try await ansible(["-b", "-m", "shell", "-a", "echo changed > \(file) && sync && systemctl stop qemu-guest-agent"])
        try #require(changed.status == 0, "changing the guests: \(changed.output) \(changed.errors)")

        let reverted = try await runVMCtl(["lab", "revert", planPath, "c1", "-c", Daemon.uri, "--output", "json"], timeout: 900)
        try #require(reverted.status == 0, "lab revert: \(reverted.errors)")
        let revert = try JSONDecoder().decode(LabRevertResult.self, from: Data(reverted.output.utf8))
        print("revert of \(nodes.count) real guests: reverted \(revert.revertedSeconds) s, running \(revert.resumedSeconds) s, ready \(revert.readySeconds) s; clocks \(revert.nodes.map { "\($0.name) \($0.clock ?? "-")" })")
        // Set over SSH where no agent ran at the checkpoint, through the agent elsewhere.
        for node in revert.nodes {
            #expect(node.clock == (node.name == agentless ? "ssh" : "agent"), "\(node.name)'s clock: \(node.clock ?? "nil")")
        }

        // Right after revert returns: Ansible reaches every node, and each is as at the checkpoint.
        // A fresh Ansible run: SSH connections open across a revert (Ansible's
        // ControlPersist masters from the steps above) hang, since the guest's
        // TCP state went back to the checkpoint (Docs/labs.md); a first run
        // saw `ansible -m ping` through such a master hang for minutes.
        controlPaths = directory + "/ansible-cp-after"
        let ping = try await ansible(["-m", "ping"])
        #expect(ping.status == 0, "ansible ping after the revert: \(ping.output) \(ping.errors)")
        let state = try await ansible(["-b", "-m", "shell", "-a", "cat \(file); systemctl is-active qemu-guest-agent || true"])
        #expect(state.status == 0, "\(state.output) \(state.errors)")
        for node in nodes {
            let agent = node == agentless ? "inactive" : "active"
            #expect(state.output.contains("\(node) | CHANGED | rc=0 >>\nsaved-\(node)\n\(agent)"), "\(node): \(state.output)")
        }

        // Every guest clock within 2 s of the host's: the guest's reading lies
        // within 2 s of the host's time before and after it was taken.
        for node in nodes {
            let before = Date().timeIntervalSince1970
            let date = try await runVMCtl(["lab", "ssh", planPath, node, "-c", Daemon.uri, "--", "date", "+%s.%N"], timeout: 120)
            let after = Date().timeIntervalSince1970
            let guest = try #require(Double(date.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(node): \(date.output) \(date.errors)")
            #expect(guest >= before - 2 && guest <= after + 2, "\(node)'s clock is \(guest - after) s off the host's (ssh took \(after - before) s)")
        }

        // The agent back, for what runs after.
        try await asRoot(planPath, agentless, "systemctl start qemu-guest-agent")
        try await expectAgent(planPath, agentless, connected: true)
    }

    /// Waits (at most 60 s) until libvirt on the node's host sees its guest
    /// agent's channel in the wanted state (the live XML's `state=`).
    func expectAgent(_ planPath: String, _ node: String, connected: Bool) async throws {
        let plan = try LabPlan.load(path: planPath, defaultURI: Daemon.uri)
        let (_, domain) = try LabRunner(plan: plan).domain(ofNode: node)
        let seen = try await Library.offload { () throws -> Bool in
            let deadline = Date().addingTimeInterval(60)
            while true {
                let now = try DomainDefinition.guestAgentConnected(liveXML: try domain.xml())
                if now == connected || Date() >= deadline { return now }
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        #expect(seen == connected, "\(node)'s guest agent channel: connected \(seen), wanted \(connected)")
    }
}
