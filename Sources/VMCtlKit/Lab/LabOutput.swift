/// Text rendering for lab commands.
public enum LabOutput {
    public static func statusTable(_ status: LabStatus) -> String {
        renderTable(
            header: ["NODE", "ROLES", "HOST", "STATE", "ADDRESSES"],
            rows: status.nodes.map { node in
                [node.name, node.roles.joined(separator: ","), node.host, node.state,
                 node.interfaces.map { "\($0.device)=\($0.address ?? "?")" }.joined(separator: " ")]
            })
    }
}
