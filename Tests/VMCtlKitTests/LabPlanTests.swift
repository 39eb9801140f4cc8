import Foundation
import Testing
import LibvirtXML
@testable import VMCtlKit

@Suite struct LabPlanTests {
    @Test func planErrorsCarryLines() throws {
        let text = "lab: ok\nnetworks:\n  - name: mgmt\n    subnet: 10.1.0.0/24\nnodes:\n  - name: a\n    memory: lots\n    image: x\n    networks: [nope]\n"
        let error = #expect(throws: PlanError.self) { try LabPlan.parse(text, file: "p.yaml", defaultURI: "qemu:///system") }
        #expect(error?.description.split(separator: "\n").sorted() == [
            "p.yaml:7: nodes[0].memory: \"lots\" is not allowed: \(ByteSize.rule)",
            "p.yaml:9: nodes[0].networks[0]: 'nope' is not one of the plan's networks",
        ])
    }

    @Test func topLevelXKeysHoldAnchorsForMergeKeys() throws {
        let text = """
            lab: demo
            x-compute: &compute {memory: 4G, vcpus: 2, image: base.qcow2}
            x-notes: [anything, {goes: here}]
            nodes:
              - <<: *compute
                name: a
              - <<: *compute
                name: b
                memory: 8G
            """
        let plan = try LabPlan.parse(text, defaultURI: "qemu:///system")
        #expect(plan.nodes.map(\.memory) == ["4G", "8G"])
        #expect(plan.nodes.allSatisfy { $0.vcpus == 2 })
        // Only at the top, and only with the prefix: elsewhere an unknown key is still an error.
        let nested = "lab: demo\nxcompute: 1\nnodes:\n  - {name: a, image: i, x-y: 1}\n"
        let error = #expect(throws: PlanError.self) { try LabPlan.parse(nested, file: "p.yaml", defaultURI: "qemu:///system") }
        #expect(error?.issues.map(\.field).sorted() == ["nodes[0].x-y", "xcompute"])
    }

    @Test func countExpandsAndDefaultsApply() throws {
        let text = """
            lab: demo
            networks:
              - {name: mgmt, subnet: 10.9.0.0/24}
            defaults: {memory: 2G, image: base.qcow2, pool: p}
            nodes:
              - {name: compute, count: 3, roles: [compute], networks: [mgmt]}
            """
        let plan = try LabPlan.parse(text, defaultURI: "qemu:///system")
        #expect(plan.nodes.map(\.name) == ["compute1", "compute2", "compute3"])
        #expect(plan.nodes.allSatisfy { $0.memory == "2G" && $0.pool == "p" && $0.networks.first?.device == "eth0" })
        #expect(plan.objectName("compute1") == "demo-compute1")
    }

    @Test func firmwareComesFromTheNodeOrTheDefaults() throws {
        let text = """
            lab: demo
            defaults: {memory: 1G, image: base.qcow2, firmware: uefi}
            nodes:
              - {name: efi}
              - {name: legacy, firmware: bios}
            """
        let plan = try LabPlan.parse(text, defaultURI: "qemu:///system")
        #expect(plan.nodes.map(\.firmware) == [.uefi, .bios])
        let plain = try LabPlan.parse("lab: demo\nnodes:\n  - {name: a, image: i}\n", defaultURI: "qemu:///system")
        #expect(plain.nodes.first?.firmware == .bios)

        let bad = "lab: demo\ndefaults:\n  firmware: efi\nnodes:\n  - name: a\n    image: i\n  - name: b\n    image: i\n    firmware: banana\n"
        let error = #expect(throws: PlanError.self) { try LabPlan.parse(bad, file: "p.yaml", defaultURI: "qemu:///system") }
        #expect(error?.description.split(separator: "\n").sorted() == [
            "p.yaml:3: defaults.firmware: \"efi\" is not allowed: bios or uefi",
            "p.yaml:9: nodes[1].firmware: \"banana\" is not allowed: bios or uefi",
        ])
    }

    @Test func listsAndNodeCountsAreBounded() throws {
        let networks = (0..<300).map { "  - {name: n\($0), mode: isolated, subnet: 10.\($0 / 250).\($0 % 250).0/24}" }.joined(separator: "\n")
        let text = "lab: big\nnetworks:\n\(networks)\nnodes:\n  - {name: a, image: i, count: 64}\n  - {name: b, image: i, count: 64}\n"
            + "  - {name: c, image: i, count: 64}\n  - {name: d, image: i, count: 64}\n  - {name: e, image: i, count: 64}\n"
        let error = #expect(throws: PlanError.self) { try LabPlan.parse(text, file: "p.yaml", defaultURI: "qemu:///system") }
        let fields = Set(error?.issues.map(\.field) ?? [])
        #expect(error?.issues.contains { $0.field == "networks" && $0.rule == "300 entries is not allowed: at most 256" } == true)
        #expect(error?.issues.contains { $0.field == "nodes" && $0.rule == "320 nodes after count is not allowed: at most 256" } == true,
                "\(fields)")
    }

    @Test func overlappingSubnetsAndDuplicateAddressesAreReported() throws {
        let text = """
            lab: demo
            networks:
              - {name: a, subnet: 10.9.0.0/16}
              - {name: b, subnet: 10.9.1.0/24}
            nodes:
              - {name: x, image: i, networks: [{name: a, ip: 10.9.0.5}]}
              - {name: y, image: i, networks: [{name: a, ip: 10.9.0.5}]}
            """
        let error = #expect(throws: PlanError.self) { try LabPlan.parse(text, file: "p", defaultURI: "qemu:///system") }
        let lines = error?.description.split(separator: "\n").map(String.init) ?? []
        #expect(lines.contains { $0.contains("networks: a (10.9.0.0/16) and b (10.9.1.0/24) overlap") })
        #expect(lines.contains { $0.contains("x and y both use 10.9.0.5") || $0.contains("y and x both use 10.9.0.5") })
    }

    /// Every node's user-data for the lab guide's OpenStack lab passes cloud-init's own schema check.
    @Test func perNodeUserDataPassesCloudInitSchema() throws {
        var text = try Fixture.text("../Examples/openstack-lab.yaml")
        // The example names a cloud image this machine does not have; the seeds do not depend on it.
        text = text.replacingOccurrences(of: "    path: /var/lib/libvirt/images/debian-12-genericcloud-amd64.qcow2\n", with: "")
        let plan = try LabPlan.parse(text, file: "openstack-lab.yaml", defaultURI: "qemu:///system")
        #expect(plan.nodes.count == 5)
        let runner = LabRunner(plan: plan)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-lab-seeds-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for node in plan.nodes {
            let userData = try runner.seedConfig(for: node).userData()
            #expect(userData.contains("hostname: \(node.name)"))
            #expect(userData.contains("ntp"))
            let file = directory.appendingPathComponent("\(node.name).yaml")
            try userData.write(to: file, atomically: true, encoding: .utf8)
            let result = try runProcess("/usr/bin/cloud-init", ["schema", "--config-file", file.path])
            #expect(result.status == 0, "\(node.name): \(result.output) \(result.errors)")
        }
    }
}
