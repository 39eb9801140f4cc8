import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// Bring-up that fits the host. Under TCG every vCPU is a host thread doing
/// the guest's work in software: four guests booting at once on two cores
/// took 2.7 times as long as two (Docs/benchmarks.md), so no guest gets there
/// sooner. `lab up` therefore lets at most as many guests boot at once on a
/// TCG host as it has cores; a guest leaves the booting set when it reaches
/// its address stage (the heavy part of its boot is over), and the next one
/// starts. Under KVM all start at once, unless the plan (`max_booting`) or
/// `lab up --max-booting` caps it.
final class LabBootGate: @unchecked Sendable {
    struct Rule: Sendable {
        var host: String
        /// nil: no cap.
        var limit: Int?
        var text: String
    }

    let rules: [String: Rule]
    private let lock = Lock()
    private var booting: [String: Int] = [:]
    private let runner: LabRunner

    init(runner: LabRunner, changePlan: LabChangePlan, cap: Int?) throws(VMCtlError) {
        self.runner = runner
        var rules: [String: Rule] = [:]
        for host in changePlan.hosts {
            let tcg = host.domainType.type != .kvm
            let cores = tcg ? Self.cores(runner: runner, host: host.host) : nil
            let limit: Int? = cap ?? cores
            let why =
                if let cap { "\(cap) (max_booting / --max-booting)" } else if let cores { "\(cores), one per core (TCG)" } else { "no cap (KVM)" }
            let text = limit == nil ? "\(host.host): all guests boot at once (KVM)" : "\(host.host): at most \(why) booting at once"
            rules[host.host] = Rule(host: host.host, limit: limit, text: text)
        }
        self.rules = rules
    }

    /// The host's cores, as its daemon counts them (virNodeGetInfo); this machine's if it cannot say.
    static func cores(runner: LabRunner, host: String) -> Int {
        if let cpus = try? runner.connection(host).nodeInfo().cpus, cpus > 0 { return cpus }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// `lab up`'s first line: the rule on every host, and why.
    var line: String {
        "bring-up: " + rules.values.sorted { $0.host < $1.host }.map(\.text).joined(separator: "; ")
            + (rules.values.contains { $0.limit != nil } ? "; a guest leaves the booting set at its address stage" : "")
    }

    /// Runs `body` (which creates or starts `node`) once `host` has a free
    /// boot slot. A node `body` started keeps its slot until it reaches its
    /// address stage (watched on a thread of its own, bounded by the plan's
    /// address_timeout); one that changed nothing gives it back at once.
    func booting(_ node: LabPlan.Node, _ body: () throws(VMCtlError) -> (changes: [String], drift: [String])) throws(VMCtlError)
        -> (changes: [String], drift: [String])
    {
        guard let limit = rules[node.host]?.limit else { return try body() }
        while true {
            let admitted = lock.withLock {
                guard booting[node.host, default: 0] < limit else { return false }
                booting[node.host, default: 0] += 1
                return true
            }
            if admitted { break }
            sleepThread(seconds: 0.2)
        }
        let outcome: (changes: [String], drift: [String])
        do {
            outcome = try body()
        } catch {
            release(node.host)
            throw error
        }
        guard !outcome.changes.isEmpty, !node.networks.isEmpty else {
            release(node.host)
            return outcome
        }
        runner.progress.step("\(node.name): booting (\(lock.withLock { booting[node.host, default: 0] }) of at most \(limit) on \(node.host))")
        detachThread { [self] in
            var address: String?
            if let target = try? runner.readinessTargets(only: [node.name]).first {
                let reports = try? ReadinessWaiter(progress: UncountedProgress()).wait(for: [target], until: .address, timeout: runner.plan.addressTimeout)
                address = reports?.first?.address
            }
            // Said before the slot is free, so the lines show the order.
            runner.progress.step("\(node.name): left the booting set" + (address.map { " at its address \($0)" } ?? " (no address in time)"))
            release(node.host)
        }
        return outcome
    }

    private func release(_ host: String) {
        lock.withLock { booting[host, default: 1] -= 1 }
    }
}

/// Progress nobody sees and the fault seam does not count: the boot gate's
/// background address watch, whose timing is the guest's, not the command's.
struct UncountedProgress: ProgressReporter {
    func step(_ message: String) {}
}
