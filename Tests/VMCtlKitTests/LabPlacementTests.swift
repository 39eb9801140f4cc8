import Foundation
import Libvirt
import Testing
@testable import VMCtlKit

/// `host: auto`: the placement function on values, and its use by a lab
/// against libvirt's test driver.
@Suite struct LabPlacementTests {
    let gib: UInt64 = 1 << 30

    @Test func largestNodesGoFirstToTheHostWithTheMostMemoryLeft() throws {
        let hosts = [LabPlacement.Capacity(host: "h1", freeMemory: 24 * gib, cpus: 8),
                     LabPlacement.Capacity(host: "h2", freeMemory: 20 * gib, cpus: 8)]
        let demands = [LabPlacement.Demand(node: "compute1", memory: 8 * gib, vcpus: 2),
                       LabPlacement.Demand(node: "controller", memory: 16 * gib, vcpus: 4),
                       LabPlacement.Demand(node: "compute2", memory: 8 * gib, vcpus: 2)]
        let placed = try LabPlacement.place(demands, on: hosts)
        // controller (16) → h1 (8 left); compute1 (8) → h2 (12 left); compute2 (8) → h2 (4 left) rather than h1 (0 left).
        #expect(placed == ["controller": "h1", "compute1": "h2", "compute2": "h2"])
        // The same inputs in any order give the same placement.
        #expect(try LabPlacement.place(demands.reversed(), on: hosts.reversed()) == placed)
    }

    @Test func tiesGoToTheHostWithFewerVCPUsPerCPUThenByName() throws {
        let busy = LabPlacement.Capacity(host: "a", freeMemory: 8 * gib, cpus: 2, vcpus: 4)
        let idle = LabPlacement.Capacity(host: "b", freeMemory: 8 * gib, cpus: 2)
        #expect(try LabPlacement.place([.init(node: "n", memory: gib, vcpus: 1)], on: [busy, idle]) == ["n": "b"])
        let twin = LabPlacement.Capacity(host: "c", freeMemory: 8 * gib, cpus: 2)
        #expect(try LabPlacement.place([.init(node: "n", memory: gib, vcpus: 1)], on: [twin, idle]) == ["n": "b"])
    }

    @Test func aNodeThatFitsNowhereIsNamed() throws {
        let hosts = [LabPlacement.Capacity(host: "h1", freeMemory: 4 * gib, cpus: 2)]
        let error = #expect(throws: VMCtlError.self) {
            try LabPlacement.place([.init(node: "big", memory: 16 * gib, vcpus: 1)], on: hosts)
        }
        #expect(error?.message == "nodes.big.host: auto: no host has 16384 MiB and 1 CPUs for it (h1 4096 MiB free, 2 CPUs)")
        // Too many vCPUs for every host's CPUs: refused too.
        #expect(throws: VMCtlError.self) { try LabPlacement.place([.init(node: "wide", memory: gib, vcpus: 4)], on: hosts) }
    }

    let plan = """
        lab: placed
        hosts:
          second: "test:///default"
        defaults:
          host: auto
          disk_size: 1G
          memory: 1M
        nodes:
          - name: a
          - name: b
            host: local
        """

    @Test func autoIsAcceptedAndAHostNamedAutoIsNot() throws {
        let parsed = try LabPlan.parse(plan, defaultURI: "test:///default")
        #expect(parsed.nodes.map(\.host) == ["auto", "local"])
        let bad = plan.replacingOccurrences(of: "  second:", with: "  auto:")
        let error = #expect(throws: PlanError.self) { try LabPlan.parse(bad, file: "p.yaml", defaultURI: "test:///default") }
        #expect(error?.description.contains("p.yaml:3: hosts.auto: \"auto\" is not allowed as a host name") == true)
    }

    @Test func aLabPlacesAutoNodesFromTheHostsCapacityAndKeepsARecordedPlacement() throws {
        let parsed = try LabPlan.parse(plan, defaultURI: "test:///default")
        let runner = LabRunner(plan: parsed)
        #expect(runner.placementError == nil)
        // The test driver reports ~3 MiB free on each; b (pinned to local, not made yet) takes 1 MiB of local's first.
        let host = try #require(runner.plan.nodes.first { $0.name == "a" }?.host)
        #expect(host == "second")
        #expect(runner.autoPlaced == ["a": host])
        // lab validate lists it first (the nodes themselves are too small for the test driver to plan).
        var changes = LabChangePlan(hosts: [])
        changes.placement = LabChangePlan.placementLines(runner.autoPlaced)
        #expect(changes.steps == ["a: on second (host: auto)"])
        // Recorded by an earlier lab up: kept, whatever the capacity says now.
        let other = host == "local" ? "second" : "local"
        let kept = try LabPlacement.resolve(parsed, recorded: ["a": other]) { _ throws(VMCtlError) in
            Issue.record("a recorded placement needs no host's capacity")
            throw VMCtlError("unreachable")
        }
        #expect(kept.nodes.map(\.host) == [other, "local"])
    }
}
