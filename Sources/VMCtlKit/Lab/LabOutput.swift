/// Text rendering for lab commands.
public enum LabOutput {
    public static func statusTable(_ status: LabStatus) -> String {
        let checkpoints = status.checkpoints.flatMap { $0.isEmpty ? nil : "\ncheckpoints: " + $0.joined(separator: ", ") } ?? ""
        return renderTable(
            header: ["NODE", "ROLES", "HOST", "STATE", "ADDRESSES"],
            rows: status.nodes.map { node in
                [node.name, node.roles.joined(separator: ","), node.host, node.state,
                 node.interfaces.map { "\($0.device)=\($0.address ?? "?")" }.joined(separator: " ")]
            }) + checkpoints
    }
}
