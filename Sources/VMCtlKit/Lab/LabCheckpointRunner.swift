import FoundationEssentials
import Libvirt
import TextSupport
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// `lab checkpoint | revert | checkpoints`: every node of a lab saved and
/// restored together. Running nodes are all paused first, so no guest runs
/// while another is saved (a Galera or RabbitMQ cluster restored from
/// snapshots taken seconds apart is not a cluster any more); each is then
/// snapshotted with its memory and every disk (libvirt internal snapshots:
/// virDomainSnapshotCreateXML), and all resume. Either every node has the
/// checkpoint or none does.
extension LabRunner {
    /// One node as a checkpoint command found it.
    struct CheckpointTarget: @unchecked Sendable {
        var node: LabPlan.Node
        var connection: Connection
        var domain: Domain
        var domainName: String
        var state: DomainState
        /// Nil where only snapshots are looked up (delete, recovery).
        var definition: DomainDefinition?

        var hasMemory: Bool { state == .running || state == .paused }
    }

    /// Every node's domain, looked up before anything changes.
    func checkpointTargets(verb: String) throws(VMCtlError) -> [CheckpointTarget] {
        try plan.nodes.map { node throws(VMCtlError) in
            let connection = try connection(node.host)
            let name = plan.objectName(node.name)
            guard let domain = try find("looking up \(name)", missing: .noDomain, { try connection.domain(named: name) }) else {
                throw .invalid(field: "lab \(verb)", "node \(node.name) of lab \(plan.name) does not exist (no domain \(name) on \(node.host)); run lab up first")
            }
            let state = try libvirt("reading the state of \(name)") { try domain.state().state }
            let definition = try libvirt("reading \(name)") { try DomainDefinition(xml: try domain.xml()) }
            return CheckpointTarget(node: node, connection: connection, domain: domain, domainName: name, state: state, definition: definition)
        }
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    // MARK: checkpoint

    /// Takes checkpoint `name` of the whole lab: checks, pauses every running
    /// node, snapshots every node, resumes them all. A failure on any node
    /// deletes the snapshots already taken and resumes every node.
    public func checkpoint(_ name: String) throws(VMCtlError) -> LabCheckpoint {
        let lock = try lockLab()
        defer { withExtendedLifetime(lock) {} }
        let checkpointName = try parsed { try ObjectName(name, field: "checkpoint name") }.rawValue
        let recovered = try recoverCheckpointJournal()
        if recovered?.journal.verb == .checkpoint, recovered?.journal.name == checkpointName,
            var finished = LabCheckpointStore.load(lab: plan.name, name: checkpointName)
        {
            // This very checkpoint, killed after it was complete: the recovery resumed its nodes.
            for (node, times) in recovered?.resumed.done ?? [:] { finished.setResume(node, requested: times.requested, resumed: times.at) }
            if finished.allPausedUntil == nil { finished.allPausedUntil = finished.nodes.compactMap(\.resumeRequested).min() }
            try LabCheckpointStore.save(finished)
            return finished
        }
        if let existing = LabCheckpointStore.load(lab: plan.name, name: checkpointName) {
            throw .invalid(field: "checkpoint name", "lab \(plan.name) already has a checkpoint named '\(checkpointName)' (taken \(existing.created)); delete it first with lab checkpoint PLAN \(checkpointName) --delete")
        }
        let targets = try checkpointTargets(verb: "checkpoint")
        try refuseUnsnapshottable(targets, name: checkpointName)
        try checkSpace(targets)

        let withMemory = targets.filter(\.hasMemory)
        let toPause = targets.filter { $0.state == .running }
        try LabCheckpointJournal(verb: .checkpoint, name: checkpointName, running: toPause.map(\.node.name)).begin(lab: plan.name)
        let description = LabCheckpoint.snapshotDescription(lab: plan.name, name: checkpointName)
        var record = LabCheckpoint(
            lab: plan.name, name: checkpointName, created: "", kind: withMemory.isEmpty ? "disks" : "memory",
            nodes: targets.map { target in
                var node = LabCheckpoint.Node(name: target.node.name, host: target.node.host, domain: target.domainName,
                                              state: target.state.description, memory: target.hasMemory)
                if target.hasMemory {
                    node.agentConnected = (try? DomainDefinition.guestAgentConnected(liveXML: target.domain.xml())) == true
                }
                return node
            })

        // 1. Pause every running node, all at once.
        let pauses = pause(toPause)
        for (node, times) in pauses.done { record.setPause(node, requested: times.requested, paused: times.at) }
        if let failure = pauses.failures.first {
            let resumed = resume(toPause.filter { pauses.done[$0.node.name] != nil })
            LabCheckpointJournal.end(lab: plan.name)
            throw VMCtlError("lab checkpoint: \(failure.node): pausing failed: \(failure.error.message); nothing was saved\(resumed.failures.isEmpty ? "" : "; " + resumed.summary)",
                             status: failure.error.status, libvirtError: failure.error.libvirtError)
        }

        // 2. Snapshot every node: those that ran with their memory, the others their disks.
        progress.step("saving \(targets.count) node(s)\(withMemory.isEmpty ? " (disks only: the lab is shut off)" : ", \(withMemory.count) with memory")")
        let xml = try parsed { try SnapshotDefinition(name: ObjectName(checkpointName, field: "checkpoint name"), description: description).xml() }
        let failures = LockedArray<(node: String, error: VMCtlError)>()
        let timings = LockedArray<(node: String, seconds: Double)>()
        forEachConcurrently(targets, workers: targets.count) { [progress] target in
            progress.step("\(target.node.name): saving \(target.hasMemory ? "memory and disks" : "disks")")
            let start = Self.now()
            do {
                _ = try target.domain.createSnapshot(xml: xml, flags: [])
                timings.append((target.node.name, Self.now() - start))
            } catch {
                failures.append((target.node.name, .libvirt(error, while: "saving \(target.domainName)")))
            }
        }
        for timing in timings.values { record.nodes[record.index(timing.node)].snapshotSeconds = (timing.seconds * 1000).rounded() / 1000 }
        if !failures.values.isEmpty {
            let ordered = failures.values.sorted { $0.node < $1.node }
            progress.step("removing the snapshots already taken (\(ordered.map(\.node).joined(separator: ", ")) failed)")
            let leftovers = deleteCheckpointSnapshots(checkpointName, targets: targets)
            let resumed = resume(toPause)
            LabCheckpointJournal.end(lab: plan.name)
            var message = "lab checkpoint: " + ordered.map { "\($0.node): \($0.error.message)" }.joined(separator: "; ")
            message += leftovers.isEmpty ? "; no node keeps checkpoint \(checkpointName)" : "; could not remove: \(leftovers.joined(separator: "; "))"
            message += resumed.failures.isEmpty ? "; every node runs as before" : "; " + resumed.summary
            throw VMCtlError(message, status: ordered[0].error.status, libvirtError: ordered[0].error.libvirtError)
        }

        // 3. Recorded as complete before anything resumes: a kill from here on keeps it.
        record.created = Date().ISO8601Format()
        try LabCheckpointStore.save(record)

        // 4. Resume every node that ran, all at once.
        let resumed = resume(toPause)
        for (node, times) in resumed.done { record.setResume(node, requested: times.requested, resumed: times.at) }
        record.allPausedFrom = record.nodes.compactMap(\.paused).max()
        record.allPausedUntil = record.nodes.compactMap(\.resumeRequested).min()
        try LabCheckpointStore.save(record)
        LabCheckpointJournal.end(lab: plan.name)
        if !resumed.failures.isEmpty {
            throw VMCtlError("lab checkpoint: checkpoint \(checkpointName) is complete, but \(resumed.summary); rerun lab up to start them")
        }
        return record
    }

    /// What must be refused before anything is touched: a node in a state
    /// that cannot be saved, UEFI from pflash, a writable disk that is not
    /// qcow2, a snapshot of that name that vmctl did not take.
    func refuseUnsnapshottable(_ targets: [CheckpointTarget], name: String) throws(VMCtlError) {
        for target in targets {
            let node = target.node.name
            guard [.running, .paused, .shutOff].contains(target.state) else {
                throw .invalid(field: "lab checkpoint", "node \(node) is \(target.state.description); a checkpoint needs every node running, paused or shut off")
            }
            guard let definition = target.definition else { continue }
            if definition.os.loader?.type == .pflash {
                throw .invalid(field: "lab checkpoint", "node \(node) boots UEFI from pflash, which libvirt \(Self.libvirtVersionText(target.connection)) cannot snapshot internally (and cannot revert an external snapshot before 9.9); nothing was changed (Docs/labs.md, Checkpoints)")
            }
            for disk in definition.disks where !disk.readOnly && disk.device != .cdrom {
                guard disk.format == .qcow2 else {
                    throw .invalid(field: "lab checkpoint", "node \(node): disk \(disk.target) is \(disk.format?.rawValue ?? "of unknown format"), not qcow2; internal snapshots need qcow2 disks; nothing was changed")
                }
            }
            if let existing = try? target.domain.snapshot(named: name) {
                let description = (try? SnapshotDefinition(xml: existing.xml()))?.description
                let ours = description == LabCheckpoint.snapshotDescription(lab: plan.name, name: name)
                throw .invalid(field: "checkpoint name", "node \(node) already has a snapshot named '\(name)'\(ours ? " from an earlier checkpoint of this lab" : " that is not this lab's checkpoint"); choose another name")
            }
        }
    }

    static func libvirtVersionText(_ connection: Connection) -> String {
        guard let version = try? connection.libraryVersion() else { return "" }
        return "\(version.major).\(version.minor)"
    }

    /// Each pool must hold what the checkpoint adds: the memory of each
    /// running node (QEMU writes it into the node's first disk) and the
    /// metadata a qcow2 internal snapshot adds to each disk (its L1 table and
    /// refcount updates: estimated as 1/512 of the disk's allocation plus 1 MiB).
    func checkSpace(_ targets: [CheckpointTarget]) throws(VMCtlError) {
        var needed: [String: (host: String, pool: StoragePool?, path: String, bytes: UInt64, nodes: [String])] = [:]
        for target in targets {
            guard let definition = target.definition else { continue }
            let disks = definition.disks.filter { !$0.readOnly && $0.device != .cdrom }
            for (index, disk) in disks.enumerated() {
                let path: String
                switch disk.source {
                case .file(let file), .block(let file): path = file
                default: continue
                }
                let volume = try? target.connection.storageVolume(path: path)
                let allocation = (try? volume?.info().allocation) ?? 0
                var bytes = allocation / 512 + (1 << 20)
                if index == 0 && target.hasMemory { bytes += definition.memory.bytes }
                let pool = try? volume?.pool()
                let key = "\(target.node.host)/\(pool?.name ?? path.deletingLastPathComponent)"
                var entry = needed[key] ?? (target.node.host, pool, path.deletingLastPathComponent, 0, [])
                entry.bytes += bytes
                if !entry.nodes.contains(target.node.name) { entry.nodes.append(target.node.name) }
                needed[key] = entry
            }
        }
        for (_, entry) in needed.sorted(by: { $0.key < $1.key }) {
            let available: UInt64?
            if let pool = entry.pool {
                try? pool.refresh()
                available = try libvirt("reading pool \(pool.name)") { try pool.info().available }
            } else {
                available = StorageService.localSpace(under: entry.path)?.available
            }
            guard let available, available < entry.bytes else { continue }
            let place = entry.pool.map { "pool \($0.name)" } ?? entry.path
            throw VMCtlError(
                "lab checkpoint: \(place) on \(entry.host) has \(ByteSize(bytes: available)) free, but checkpointing \(entry.nodes.joined(separator: ", ")) needs \(ByteSize(bytes: entry.bytes)) there (memory plus snapshot metadata); nothing was changed",
                status: .usage)
        }
    }

    // MARK: revert

    /// Reverts every node to checkpoint `name`: the running ones are paused
    /// first, every node is reverted (those with memory into a paused guest),
    /// then all resume together, their clocks are set to the host's, and the
    /// command returns when every node has reached the plan's readiness (at most `ssh`).
    public func revert(to name: String) throws(VMCtlError) -> LabRevertResult {
        let lock = try lockLab()
        defer { withExtendedLifetime(lock) {} }
        let start = Self.now()
        let checkpointName = try parsed { try ObjectName(name, field: "checkpoint name") }.rawValue
        try recoverCheckpointJournal()
        guard let record = LabCheckpointStore.load(lab: plan.name, name: checkpointName) else {
            throw .invalid(field: "checkpoint name", "lab \(plan.name) has no checkpoint named '\(checkpointName)' (checkpoints: \(checkpointNames().joined(separator: ", ").nonEmpty ?? "none"))")
        }
        let targets = try checkpointTargets(verb: "revert")
        let found = try checkpointSnapshots(targets, name: checkpointName)
        let saved = Dictionary(record.nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let toPause = targets.filter { $0.state == .running }
        try LabCheckpointJournal(verb: .revert, name: checkpointName, running: toPause.map(\.node.name)).begin(lab: plan.name)

        // 1. No guest runs while another is rewound.
        let pauses = pause(toPause)
        if let failure = pauses.failures.first {
            let resumed = resume(toPause.filter { pauses.done[$0.node.name] != nil })
            LabCheckpointJournal.end(lab: plan.name)
            throw VMCtlError("lab revert: \(failure.node): pausing failed: \(failure.error.message); no node was reverted\(resumed.failures.isEmpty ? "" : "; " + resumed.summary)",
                             status: failure.error.status, libvirtError: failure.error.libvirtError)
        }

        // 2. Every node back to the checkpoint; those with memory stay paused.
        progress.step("reverting \(targets.count) node(s) to \(checkpointName)")
        let failures = LockedArray<(node: String, error: VMCtlError)>()
        forEachConcurrently(targets, workers: targets.count) { [progress] target in
            let memory = saved[target.node.name]?.memory ?? false
            progress.step("\(target.node.name): reverting")
            do {
                try found[target.node.name]!.revert(memory ? [.paused] : [])
            } catch {
                failures.append((target.node.name, .libvirt(error, while: "reverting \(target.domainName) to \(checkpointName)")))
            }
        }
        let reverted = Self.now() - start
        if !failures.values.isEmpty {
            throw revertFailure(failures.values, targets: targets, saved: saved, name: checkpointName)
        }

        // 3. All resume together: those the checkpoint saw running.
        let toResume = targets.filter { saved[$0.node.name]?.state == "running" }
        let resumed = resume(toResume)
        LabCheckpointJournal.end(lab: plan.name)
        if !resumed.failures.isEmpty {
            throw VMCtlError("lab revert: every node is at checkpoint \(checkpointName), but \(resumed.summary)")
        }
        let resumedAt = Self.now() - start

        // 4. Clocks to the host's time, then readiness as lab up waits for it.
        let (clocks, readiness) = try settleAfterRevert(toResume, saved: saved)
        let ready = Self.now() - start
        let nodes = targets.map { target in
            LabRevertResult.Node(name: target.node.name, state: saved[target.node.name]?.state ?? "unknown", clock: clocks[target.node.name],
                                 resumed: resumed.done[target.node.name]?.at)
        }
        return LabRevertResult(lab: plan.name, checkpoint: checkpointName, nodes: nodes, revertedSeconds: Self.rounded(reverted),
                               resumedSeconds: Self.rounded(resumedAt), readySeconds: Self.rounded(ready), readiness: readiness)
    }

    /// Every node's snapshot `name`, looked up before anything changes
    /// (virDomainSnapshotLookupByName): one missing refuses the revert.
    func checkpointSnapshots(_ targets: [CheckpointTarget], name: String) throws(VMCtlError) -> [String: DomainSnapshot] {
        var snapshots: [String: DomainSnapshot] = [:]
        for target in targets {
            guard let snapshot = try find("looking up snapshot \(name) of \(target.domainName)", missing: .noDomainSnapshot, {
                try target.domain.snapshot(named: name)
            }) else {
                throw .invalid(field: "lab revert", "node \(target.node.name) has no snapshot '\(name)' (it was made after the checkpoint, or its snapshot was deleted); nothing was changed")
            }
            snapshots[target.node.name] = snapshot
        }
        return snapshots
    }

    /// A revert that failed on some nodes: those reverted are at the
    /// checkpoint, the others as they were, and all that ran run again; the
    /// error says which state each node is in.
    func revertFailure(
        _ failures: [(node: String, error: VMCtlError)], targets: [CheckpointTarget], saved: [String: LabCheckpoint.Node], name: String
    ) -> VMCtlError {
        let failed = Set(failures.map(\.node))
        let back = targets.filter { target in
            failed.contains(target.node.name) ? target.state == .running : saved[target.node.name]?.state == "running"
        }
        let resumed = resume(back)
        LabCheckpointJournal.end(lab: plan.name)
        let states = targets.map { target -> String in
            let now = (try? target.domain.state().state.description) ?? "unknown"
            return failed.contains(target.node.name) ? "\(target.node.name): as before the revert (\(now))"
                : "\(target.node.name): at checkpoint \(name) (\(now))"
        }
        let sorted = failures.sorted { $0.node < $1.node }
        return VMCtlError(
            "lab revert: " + sorted.map { "\($0.node): \($0.error.message)" }.joined(separator: "; ")
                + "\nnode states now: " + states.joined(separator: "; ") + (resumed.failures.isEmpty ? "" : "\n" + resumed.summary)
                + "\nrerun lab revert to bring every node to the checkpoint",
            status: sorted[0].error.status, libvirtError: sorted[0].error.libvirtError)
    }

    /// After the nodes resumed: clocks to the host's time (the guest agent,
    /// else SSH once the node answers), and readiness as lab up waits for it (at most `ssh`).
    func settleAfterRevert(
        _ resumed: [CheckpointTarget], saved: [String: LabCheckpoint.Node]
    ) throws(VMCtlError) -> (clocks: [String: String], readiness: [ReadinessReport]) {
        let running = resumed.map(\.node.name)
        var clocks = setClocksWithAgent(resumed.filter { saved[$0.node.name]?.agentConnected != false })
        for target in resumed where saved[target.node.name]?.agentConnected == false {
            clocks[target.node.name] = "its guest agent was not connected at the checkpoint"
        }
        var readiness: [ReadinessReport] = []
        if let wanted = plan.wait, !running.isEmpty {
            let stage = min(wanted, .ssh)
            do {
                readiness = try ReadinessWaiter(progress: progress)
                    .wait(for: try readinessTargets(only: running), until: stage, timeout: plan.addressTimeout)
            } catch {
                throw VMCtlError(error.message.split(separator: "\n").map { "lab revert: \($0)" }.joined(separator: "\n"),
                                 status: error.status, libvirtError: error.libvirtError)
            }
        }
        for target in resumed where clocks[target.node.name] != "agent" {
            let address = readiness.first { $0.name == target.node.name }?.address
            clocks[target.node.name] = setClockOverSSH(target, address: address, agentProblem: clocks[target.node.name])
        }
        return (clocks, readiness)
    }

    static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    // MARK: delete and list

    /// Deletes checkpoint `name` from every node (only snapshots that carry
    /// this lab's checkpoint description) and its record.
    public func deleteCheckpoint(_ name: String) throws(VMCtlError) -> [String] {
        let lock = try lockLab()
        defer { withExtendedLifetime(lock) {} }
        let checkpointName = try parsed { try ObjectName(name, field: "checkpoint name") }.rawValue
        try recoverCheckpointJournal()
        guard LabCheckpointStore.load(lab: plan.name, name: checkpointName) != nil else {
            throw .invalid(field: "checkpoint name", "lab \(plan.name) has no checkpoint named '\(checkpointName)' (checkpoints: \(checkpointNames().joined(separator: ", ").nonEmpty ?? "none"))")
        }
        try LabCheckpointJournal(verb: .delete, name: checkpointName, running: []).begin(lab: plan.name)
        let targets = plan.nodes.compactMap { node -> CheckpointTarget? in
            guard let connection = try? connection(node.host), let domain = try? connection.domain(named: plan.objectName(node.name)) else { return nil }
            return CheckpointTarget(node: node, connection: connection, domain: domain, domainName: domain.name, state: .noState, definition: nil)
        }
        let deleted = try deleteCheckpointSnapshotsOrThrow(checkpointName, targets: targets)
        LabCheckpointStore.remove(lab: plan.name, name: checkpointName)
        LabCheckpointJournal.end(lab: plan.name)
        return deleted
    }

    /// The lab's complete checkpoints, oldest first.
    public func checkpoints() -> [LabCheckpoint] { LabCheckpointStore.all(lab: plan.name) }

    func checkpointNames() -> [String] { checkpoints().map(\.name) }

    // MARK: shared steps

    struct NodeTimes: Sendable { var requested: Double; var at: Double }
    struct StepOutcome {
        var done: [String: NodeTimes] = [:]
        var failures: [(node: String, error: VMCtlError)] = []
        var summary: String {
            failures.map { "\($0.node) is still paused (\($0.error.message))" }.joined(separator: "; ")
        }
    }

    /// Pauses `targets` all at once (virDomainSuspend), one thread each.
    func pause(_ targets: [CheckpointTarget]) -> StepOutcome {
        guard !targets.isEmpty else { return StepOutcome() }
        progress.step("pausing \(targets.count) running node(s)")
        return together(targets) { target in
            do {
                try target.domain.suspend()
            } catch {
                // Already paused by someone else: paused all the same.
                if (try? target.domain.state().state) == .paused { return }
                throw VMCtlError.libvirt(error, while: "pausing \(target.domainName)")
            }
        }
    }

    /// Resumes those of `targets` that are paused, all at once (virDomainResume).
    func resume(_ targets: [CheckpointTarget]) -> StepOutcome {
        guard !targets.isEmpty else { return StepOutcome() }
        progress.step("resuming \(targets.count) node(s)")
        return together(targets) { target in
            do {
                try target.domain.resume()
            } catch {
                if (try? target.domain.state().state) == .running { return }
                throw VMCtlError.libvirt(error, while: "resuming \(target.domainName)")
            }
        }
    }

    /// Runs `body` for every target on a thread of its own, all started
    /// together, recording when each was asked and when it returned.
    func together(_ targets: [CheckpointTarget], _ body: @escaping @Sendable (CheckpointTarget) throws -> Void) -> StepOutcome {
        let done = LockedArray<(String, NodeTimes)>()
        let failed = LockedArray<(node: String, error: VMCtlError)>()
        forEachConcurrently(targets, workers: targets.count) { target in
            let requested = Self.now()
            do {
                try body(target)
                done.append((target.node.name, NodeTimes(requested: requested, at: Self.now())))
            } catch let error as VMCtlError {
                failed.append((target.node.name, error))
            } catch {
                failed.append((target.node.name, VMCtlError("\(error)")))
            }
        }
        return StepOutcome(done: Dictionary(done.values, uniquingKeysWith: { first, _ in first }),
                           failures: failed.values.sorted { $0.node < $1.node })
    }

    /// Deletes this lab's snapshot `name` wherever it is; what could not be deleted.
    func deleteCheckpointSnapshots(_ name: String, targets: [CheckpointTarget]) -> [String] {
        do {
            _ = try deleteCheckpointSnapshotsOrThrow(name, targets: targets)
            return []
        } catch {
            return [error.message]
        }
    }

    func deleteCheckpointSnapshotsOrThrow(_ name: String, targets: [CheckpointTarget]) throws(VMCtlError) -> [String] {
        let description = LabCheckpoint.snapshotDescription(lab: plan.name, name: name)
        var deleted: [String] = []
        var problems: [String] = []
        for target in targets {
            waitForJobs(target)
            guard let snapshot = try? target.domain.snapshot(named: name),
                (try? SnapshotDefinition(xml: snapshot.xml()))?.description == description
            else { continue }
            progress.step("\(target.node.name): deleting snapshot \(name)")
            do {
                try snapshot.delete()
                deleted.append("\(target.node.name): snapshot \(name)")
            } catch {
                problems.append("\(target.node.name): \(VMCtlError.libvirt(error, while: "deleting snapshot \(name) of \(target.domainName)").message)")
            }
        }
        guard problems.isEmpty else { throw VMCtlError(problems.joined(separator: "; ")) }
        return deleted
    }

    /// A snapshot libvirtd was still taking when its client was killed goes on
    /// in the daemon: wait (bounded) until the domain has no job, so that what
    /// it makes is seen and cleaned up (virDomainGetJobStats).
    func waitForJobs(_ target: CheckpointTarget) {
        let deadline = Date().addingTimeInterval(600)
        while Date() < deadline, let type = try? target.domain.jobStats().type, type != .none {
            sleepThread(seconds: 0.2)
        }
    }

    /// Finishes what a killed checkpoint command left: an unfinished
    /// checkpoint's snapshots go, an unfinished delete is finished, and the
    /// nodes the command may have paused run again.
    @discardableResult
    func recoverCheckpointJournal() throws(VMCtlError) -> (journal: LabCheckpointJournal, resumed: StepOutcome)? {
        guard let journal = LabCheckpointJournal.load(lab: plan.name) else { return nil }
        progress.step("finishing the interrupted \(journal.verb.rawValue) \(journal.name) of lab \(plan.name)")
        var targets: [CheckpointTarget] = []
        for node in plan.nodes {
            guard let connection = try? connection(node.host),
                let domain = try? connection.domain(named: plan.objectName(node.name))
            else { continue }
            let target = CheckpointTarget(node: node, connection: connection, domain: domain, domainName: domain.name, state: .noState, definition: nil)
            waitForJobs(target)
            targets.append(target)
        }
        switch journal.verb {
        case .checkpoint where LabCheckpointStore.load(lab: plan.name, name: journal.name) == nil, .delete:
            _ = try deleteCheckpointSnapshotsOrThrow(journal.name, targets: targets)
            LabCheckpointStore.remove(lab: plan.name, name: journal.name)
        case .checkpoint, .revert:
            break
        }
        let paused = targets.filter { journal.running.contains($0.node.name) && (try? $0.domain.state().state) == .paused }
        let resumed = resume(paused)
        guard resumed.failures.isEmpty else { throw VMCtlError("lab \(plan.name): \(resumed.summary)") }
        LabCheckpointJournal.end(lab: plan.name)
        return (journal, resumed)
    }
}

extension LabCheckpoint {
    func index(_ node: String) -> Int { nodes.firstIndex { $0.name == node }! }

    mutating func setPause(_ node: String, requested: Double, paused: Double) {
        nodes[index(node)].pauseRequested = requested
        nodes[index(node)].paused = paused
    }

    mutating func setResume(_ node: String, requested: Double, resumed: Double) {
        nodes[index(node)].resumeRequested = requested
        nodes[index(node)].resumed = resumed
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
