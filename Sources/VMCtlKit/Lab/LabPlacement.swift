import FoundationEssentials
import Libvirt
import LibvirtXML

/// `host: auto` (on a node, or in `defaults`): the node goes to the plan
/// host with the most free memory left once it is there, among those where
/// it fits; ties go to the host with the fewest vCPUs placed per CPU, then to
/// the host key first in order. Placement is recorded in the lab's state, so
/// a rerun keeps every node where it was (Docs/multi-host.md).
public enum LabPlacement {
    /// The host key that asks for placement.
    public static let auto = "auto"

    /// What a host offers: `virNodeGetFreeMemory` less the memory of nodes
    /// pinned there but not made yet, and `virNodeGetInfo`'s CPUs.
    public struct Capacity: Sendable, Equatable {
        public var host: String
        public var freeMemory: UInt64
        public var cpus: Int
        /// vCPUs of the lab's nodes already bound for this host.
        public var vcpus: Int = 0

        public init(host: String, freeMemory: UInt64, cpus: Int, vcpus: Int = 0) {
            self.host = host
            self.freeMemory = freeMemory
            self.cpus = cpus
            self.vcpus = vcpus
        }
    }

    public struct Demand: Sendable, Equatable {
        public var node: String
        public var memory: UInt64
        public var vcpus: Int

        public init(node: String, memory: UInt64, vcpus: Int) {
            self.node = node
            self.memory = memory
            self.vcpus = vcpus
        }
    }

    static func mebibytes(_ bytes: UInt64) -> String { "\(bytes >> 20) MiB" }

    /// Node → host for every demand, largest memory first (then by name), so
    /// the same inputs always give the same placement. A node that fits
    /// nowhere is an error naming it and each host's free memory.
    public static func place(_ demands: [Demand], on hosts: [Capacity]) throws(VMCtlError) -> [String: String] {
        var left = hosts.sorted { $0.host < $1.host }
        var result: [String: String] = [:]
        let ordered = demands.sorted { ($0.memory, $1.node) > ($1.memory, $0.node) }
        for demand in ordered {
            let fitting = left.indices.filter { left[$0].freeMemory >= demand.memory && left[$0].cpus >= demand.vcpus }
            guard !fitting.isEmpty else {
                let offers = left.map { "\($0.host) \(mebibytes($0.freeMemory)) free, \($0.cpus) CPUs" }.joined(separator: "; ")
                throw .invalid(field: "nodes.\(demand.node).host",
                               "auto: no host has \(mebibytes(demand.memory)) and \(demand.vcpus) CPUs for it (\(offers))")
            }
            func load(_ capacity: Capacity) -> Double { Double(capacity.vcpus + demand.vcpus) / Double(max(capacity.cpus, 1)) }
            let best = fitting.min { a, b in
                let (x, y) = (left[a], left[b])
                if x.freeMemory != y.freeMemory { return x.freeMemory > y.freeMemory }
                if load(x) != load(y) { return load(x) < load(y) }
                return x.host < y.host
            }!
            left[best].freeMemory -= demand.memory
            left[best].vcpus += demand.vcpus
            result[demand.node] = left[best].host
        }
        return result
    }

    /// The plan with every `auto` host decided: as recorded by an earlier
    /// `lab up`, else from each plan host's capacity now.
    static func resolve(_ plan: LabPlan, recorded: [String: String], connection: (String) throws(VMCtlError) -> Connection) throws(VMCtlError) -> LabPlan {
        guard plan.nodes.contains(where: { $0.host == auto }) else { return plan }
        var resolved = plan
        var unplaced: [Demand] = []
        for (index, node) in plan.nodes.enumerated() where node.host == auto {
            if let host = recorded[node.name], plan.hosts[host] != nil {
                resolved.nodes[index].host = host
            } else {
                let memory = node.memory.bytes
                unplaced.append(Demand(node: node.name, memory: memory, vcpus: node.vcpus))
            }
        }
        guard !unplaced.isEmpty else { return resolved }
        var capacities: [Capacity] = []
        for host in plan.hosts.keys.sorted() {
            let connection = try connection(host)
            let info = try libvirt("reading the CPUs and memory of \(host)") { try connection.nodeInfo() }
            var free = try libvirt("reading the free memory of \(host)") { try connection.freeMemory() }
            var vcpus = 0
            // Nodes bound for this host that are not made yet will take their share first.
            for node in resolved.nodes where node.host == host {
                vcpus += node.vcpus
                guard try find("looking up \(plan.objectName(node.name))", missing: .noDomain, { try connection.domain(named: plan.objectName(node.name)) }) == nil
                else { continue }
                free -= min(free, node.memory.bytes)
            }
            capacities.append(Capacity(host: host, freeMemory: free, cpus: info.cpus, vcpus: vcpus))
        }
        let placed = try place(unplaced, on: capacities)
        for index in resolved.nodes.indices where resolved.nodes[index].host == auto {
            resolved.nodes[index].host = placed[resolved.nodes[index].name] ?? auto
        }
        return resolved
    }
}

extension LabRunner {
    /// Decides every `host: auto` once, as the runner is made: from the
    /// lab's recorded placement, else from the hosts' capacity now.
    func resolvePlacement() {
        guard plan.nodes.contains(where: { $0.host == LabPlacement.auto }) else { return }
        let original = plan
        do throws(VMCtlError) {
            plan = try LabPlacement.resolve(original, recorded: LabState.load(lab: original.name)?.placement ?? [:]) { host throws(VMCtlError) in
                try connection(host)
            }
            for (node, resolved) in zip(original.nodes, plan.nodes) where node.host == LabPlacement.auto { autoPlaced[node.name] = resolved.host }
        } catch {
            placementError = error
        }
    }
}
