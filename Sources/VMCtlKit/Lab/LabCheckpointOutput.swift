import TextSupport

/// Text rendering for `lab checkpoint`, `lab revert` and `lab checkpoints`.
public enum LabCheckpointOutput {
    static func seconds(_ value: Double?) -> String { value.map { cFormat("%.3f s", $0) } ?? "-" }

    public static func taken(_ checkpoint: LabCheckpoint) -> String {
        var lines = ["lab \(checkpoint.lab): checkpoint \(checkpoint.name) of \(checkpoint.nodes.count) node(s), \(checkpoint.kind)"]
        if let from = checkpoint.allPausedFrom, let until = checkpoint.allPausedUntil, let longest = checkpoint.longestPause {
            let firstPause = checkpoint.nodes.compactMap(\.pauseRequested).min() ?? from
            let lastResume = checkpoint.nodes.compactMap(\.resumed).max() ?? until
            lines.append("guests paused at most \(seconds(longest)); all paused together for \(seconds(until - from)); "
                + "pauses began within \(seconds(from - firstPause)) and ended within \(seconds(lastResume - until)) of each other")
        }
        lines.append(renderTable(
            header: ["NODE", "STATE", "SAVED", "SNAPSHOT", "PAUSED"],
            rows: checkpoint.nodes.map { [$0.name, $0.state, $0.memory ? "memory+disks" : "disks", seconds($0.snapshotSeconds), seconds($0.pausedSeconds)] }))
        return lines.joined(separator: "\n")
    }

    public static func reverted(_ result: LabRevertResult) -> String {
        var lines = ["lab \(result.lab): reverted to \(result.checkpoint) in \(seconds(result.revertedSeconds)), running \(seconds(result.resumedSeconds)), ready \(seconds(result.readySeconds))"]
        lines += result.readiness.map { "ready: \($0.summary)" }
        lines.append(renderTable(header: ["NODE", "STATE", "CLOCK"], rows: result.nodes.map { [$0.name, $0.state, $0.clock ?? "-"] }))
        return lines.joined(separator: "\n")
    }

    public static func table(_ checkpoints: [LabCheckpoint]) -> String {
        guard !checkpoints.isEmpty else { return "no checkpoints" }
        return renderTable(
            header: ["NAME", "CREATED", "KIND", "NODES", "PAUSED"],
            rows: checkpoints.map { [$0.name, $0.created, $0.kind, String($0.nodes.count), seconds($0.longestPause)] })
    }
}
