import Testing
import LibvirtXML
import VMCtlKit

@Suite struct LabPlanTests {
    @Test func planErrorsCarryLines() throws {
        let text = "lab: ok\nnetworks:\n  - name: mgmt\n    subnet: 10.1.0.0/24\nnodes:\n  - name: a\n    memory: lots\n    image: x\n    networks: [nope]\n"
        let error = #expect(throws: PlanError.self) { try LabPlan.parse(text, file: "p.yaml", defaultURI: "qemu:///system") }
        #expect(error?.description.split(separator: "\n").sorted() == [
            "p.yaml:7: nodes[0].memory: \"lots\" is not allowed: \(ByteSize.rule)",
            "p.yaml:9: nodes[0].networks[0]: 'nope' is not one of the plan's networks",
        ])
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
}
