import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// A lab checkpoint: one libvirt snapshot per node, all taken while every
/// running node was paused. Field names are part of the stable JSON output
/// (`lab checkpoint`, `lab checkpoints --output json`; Docs/json-output.md).
public struct LabCheckpoint: Codable, Sendable, Equatable {
    public var lab: String
    public var name: String
    /// When the checkpoint was complete (ISO 8601, UTC).
    public var created: String
    /// "memory" when at least one node was running (its RAM and device state
    /// are in the checkpoint, and a revert brings it back running); "disks"
    /// for a shut-off lab.
    public var kind: String
    public var nodes: [Node]
    /// Every node with memory was paused from `allPausedFrom` to `allPausedUntil`
    /// (seconds since 1970, host clock): the snapshots were all taken inside it.
    public var allPausedFrom: Double?
    public var allPausedUntil: Double?

    public struct Node: Codable, Sendable, Equatable {
        public var name: String
        public var host: String
        public var domain: String
        /// The node's state when the checkpoint was taken: running, paused or shut off.
        public var state: String
        /// Whether the snapshot holds the node's memory (a running or paused node).
        public var memory: Bool
        /// When vmctl asked libvirt to pause it, and when the pause had taken
        /// effect (seconds since 1970); nil for a shut-off node.
        public var pauseRequested: Double?
        public var paused: Double?
        /// When vmctl asked libvirt to resume it and when it ran again; nil
        /// while not yet resumed, and for a node that was paused before (it stays paused).
        public var resumeRequested: Double?
        public var resumed: Double?
        /// How long its snapshot took, in seconds.
        public var snapshotSeconds: Double?
        /// Whether its guest agent was connected when it was saved: after a
        /// revert, vmctl waits for the agent to set its clock only then.
        public var agentConnected: Bool?

        /// How long the guest did not run, in seconds.
        public var pausedSeconds: Double? {
            guard let paused, let resumed else { return nil }
            return resumed - paused
        }
    }

    /// The longest pause of any node, in seconds.
    public var longestPause: Double? { nodes.compactMap(\.pausedSeconds).max() }

    /// The snapshot's description in libvirt: how vmctl knows a snapshot is a checkpoint's.
    static func snapshotDescription(lab: String, name: String) -> String { "vmctl lab \(lab) checkpoint \(name)" }
}

/// What `lab revert` did, node by node.
public struct LabRevertResult: Codable, Sendable, Equatable {
    public var lab: String
    public var checkpoint: String
    public var nodes: [Node]
    /// Seconds from the command's start until every node was reverted, until
    /// every node ran again, and until the readiness wait ended.
    public var revertedSeconds: Double
    public var resumedSeconds: Double
    public var readySeconds: Double
    /// The readiness each node reached (empty when the plan waits for nothing or the lab is shut off).
    public var readiness: [ReadinessReport]

    public struct Node: Codable, Sendable, Equatable {
        public var name: String
        /// running, paused or shut off: as the checkpoint left it.
        public var state: String
        /// How its clock was set to the host's: "agent" (virDomainSetTime), "ssh"
        /// (date over SSH with the plan's login), or "not set: WHY"; nil when shut off.
        public var clock: String?
        /// When it ran again (seconds since 1970).
        public var resumed: Double?
    }
}

/// Where checkpoints are recorded: `LABDIR/checkpoints/NAME.json`, beside
/// the lab's state (LabState), so `lab down` removes them with the lab.
enum LabCheckpointStore {
    static func directory(lab: String) -> URL {
        LabState.file(lab: lab).deletingLastPathComponent().appendingPathComponent("checkpoints")
    }

    static func file(lab: String, name: String) -> URL {
        directory(lab: lab).appendingPathComponent("\(name).json")
    }

    static func load(lab: String, name: String) -> LabCheckpoint? {
        guard let data = try? Data(contentsOf: file(lab: lab, name: name)) else { return nil }
        return try? JSONDecoder().decode(LabCheckpoint.self, from: data)
    }

    static func all(lab: String) -> [LabCheckpoint] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory(lab: lab).path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
            .compactMap { load(lab: lab, name: String($0.dropLast(5))) }
            .sorted { $0.created < $1.created }
    }

    static func save(_ checkpoint: LabCheckpoint) throws(VMCtlError) {
        try write(checkpoint, to: file(lab: checkpoint.lab, name: checkpoint.name), what: "checkpoint \(checkpoint.name)")
    }

    static func remove(lab: String, name: String) {
        try? FileManager.default.removeItem(at: file(lab: lab, name: name))
        rmdir(directory(lab: lab).path)
    }

    /// Every record and the journal: `lab down` calls this with LabState.remove.
    static func removeAll(lab: String) {
        try? FileManager.default.removeItem(at: directory(lab: lab))
        LabCheckpointJournal.end(lab: lab)
    }

    static func write<T: Encodable>(_ value: T, to url: URL, what: String) throws(VMCtlError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try OwnedFiles.makeDirectory(url.deletingLastPathComponent().path)
            try OwnedFiles.replace(url.path, with: Array(try encoder.encode(value)))
        } catch let error as VMCtlError {
            throw VMCtlError("recording \(what): \(error.message)")
        } catch {
            throw VMCtlError("recording \(what) in \(url.path): \(error)")
        }
    }
}

/// What a checkpoint command is in the middle of, written before its first
/// change (`LABDIR/checkpoint-journal.json`). A command killed at any step
/// leaves it; the next checkpoint command of the lab (or `lab up`'s resume)
/// reads it first and converges: an unfinished checkpoint's snapshots are
/// deleted, nodes it paused run again, an unfinished delete is finished.
struct LabCheckpointJournal: Codable, Equatable {
    enum Verb: String, Codable { case checkpoint, revert, delete }
    var verb: Verb
    var name: String
    /// Nodes (plan names) that ran when the command started: the ones it may have paused.
    var running: [String]

    static func file(lab: String) -> URL {
        LabState.file(lab: lab).deletingLastPathComponent().appendingPathComponent("checkpoint-journal.json")
    }

    static func load(lab: String) -> LabCheckpointJournal? {
        guard let data = try? Data(contentsOf: file(lab: lab)) else { return nil }
        return try? JSONDecoder().decode(LabCheckpointJournal.self, from: data)
    }

    func begin(lab: String) throws(VMCtlError) {
        try LabCheckpointStore.write(self, to: Self.file(lab: lab), what: "the journal of lab \(lab)'s \(verb.rawValue) \(name)")
    }

    static func end(lab: String) {
        try? FileManager.default.removeItem(at: file(lab: lab))
    }
}
