import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

// Ansible inventories written from a lab's status: `vmctl lab inventory --format ansible|kolla`.
//
// Both writers are pure functions of ``LabStatus``: same status, same text.
//
// A node Ansible cannot reach is an error, not a silent gap: every node listed
// must have a management address (its first NIC's IPv4 address). Without one,
// Ansible would fall back to resolving the node's name, which in a lab reaches
// the wrong machine or none. The error names the node, so the user can start
// it or wait for its DHCP lease and run the command again.

/// The connection variables on every host line: the login user, the key
/// when the plan names one, Python 3, and ssh's host key options for the
/// node (``SSHCommand/HostKeyPolicy``): checked strictly against the lab's
/// known_hosts file, under the node's domain name as `HostKeyAlias`.
func connectionVariables(_ login: LabLogin, lab: String, node: String) -> String {
    var variables = ["ansible_user=\(login.user)"]
    if let key = login.privateKey { variables.append("ansible_ssh_private_key_file=\(key)") }
    variables.append("ansible_python_interpreter=/usr/bin/python3")
    let hostKeys = SSHCommand.HostKeyPolicy.known(KnownHost.of(domain: "\(lab)-\(node)", lab: lab))
    variables.append("ansible_ssh_common_args='\(hostKeys.options.joined(separator: " "))'")
    return variables.joined(separator: " ")
}

/// Checks that `node` has a management address and returns it.
func inventoryAddress(of node: LabNodeStatus) throws(VMCtlError) -> String {
    guard let address = node.managementAddress, !address.isEmpty else {
        let device = node.interfaces.first?.device ?? "first NIC"
        throw VMCtlError(
            "nodes.\(node.name).address: node has no IPv4 address on \(device) yet; start the lab and wait for its DHCP lease, then write the inventory again",
            status: .failure)
    }
    return address
}

/// A plain Ansible INI inventory: one group per role.
///
/// ```
/// # Ansible inventory for lab openstack, written by vmctl.
/// [compute]
/// compute1 ansible_host=192.168.121.11 ansible_user=debian ansible_python_interpreter=/usr/bin/python3 …
/// ```
///
/// - Groups are sorted by name; hosts keep the plan's node order.
/// - A role becomes a group named by ``groupName(forRole:)``: Ansible group
///   names may hold only letters, digits and `_`, so `-` (and anything else
///   outside that set) becomes `_`; a name starting with a digit gets a leading `_`.
/// - A node without roles is listed before the first group (Ansible's `ungrouped`).
/// - Every host line is `NAME ansible_host=IP` and ``connectionVariables(_:)``;
///   no `[all:vars]` are written, so the lines also work pasted into another inventory.
public enum AnsibleInventory {
    /// The Ansible group name for a role: `-` and any other character outside
    /// `[A-Za-z0-9_]` become `_`, and a leading digit gets a `_` before it.
    public static func groupName(forRole role: String) -> String {
        var name = String(role.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
        if let first = name.first, first.isNumber { name = "_" + name }
        return name
    }

    /// The inventory as INI text.
    ///
    /// Throws when a node has no address, or when a role maps to one of
    /// Ansible's implicit groups (`all`, `ungrouped`).
    public static func render(_ status: LabStatus) throws(VMCtlError) -> String {
        var groups: [String: [String]] = [:]
        var ungrouped: [String] = []
        for node in status.nodes {
            let line = "\(node.name) ansible_host=\(try inventoryAddress(of: node)) \(connectionVariables(status.login, lab: status.lab, node: node.name))"
            if node.roles.isEmpty { ungrouped.append(line) }
            for role in node.roles {
                let group = groupName(forRole: role)
                guard group != "all", group != "ungrouped" else {
                    throw VMCtlError.invalid(
                        field: "nodes.\(node.name).roles",
                        "role \(role) is the name of an implicit Ansible group; choose another role name")
                }
                if groups[group]?.contains(line) == true { continue }
                groups[group, default: []].append(line)
            }
        }
        var lines = ["# Ansible inventory for lab \(status.lab), written by vmctl."]
        lines += ungrouped
        for group in groups.keys.sorted() {
            lines.append("")
            lines.append("[\(group)]")
            lines += groups[group]!
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// kolla-ansible's six top groups, filled from a lab's roles.
///
/// | role                         | kolla group(s)                          |
/// |------------------------------|-----------------------------------------|
/// | `control`, `controller`      | `control`                               |
/// | `network`                    | `network`                               |
/// | `compute`                    | `compute`                               |
/// | `monitoring`                 | `monitoring`                            |
/// | `storage`                    | `storage`                               |
/// | `deployment`                 | `deployment`                            |
/// | anything else                | none (the kolla inventory ignores it)   |
///
/// Following kolla-ansible's multinode file ("the network nodes … can be the
/// same as a host in the control group") and its all-in-one file:
/// - when no node has the `network` role, the control nodes fill `[network]`;
/// - when no node has the `monitoring` role, the control nodes fill `[monitoring]`;
/// - when no node has the `deployment` role, `[deployment]` holds
///   `localhost ansible_connection=local` (the machine that runs kolla-ansible),
///   as in kolla's own files.
///
/// `[compute]` and `[storage]` have no fallback: a lab without storage nodes has an
/// empty `[storage]` (and ``KollaGlobals`` leaves cinder off).
///
/// Host lines are `NAME ansible_host=IP ansible_become=true` and
/// ``connectionVariables(_:)``, in the plan's node order.
public enum KollaInventory {
    /// The six top groups, in the order kolla's multinode file lists them.
    public static let groups = ["control", "network", "compute", "monitoring", "storage", "deployment"]

    /// Which kolla group a role fills directly (before the fallbacks), or nil.
    public static func group(forRole role: String) -> String? {
        switch role {
        case "control", "controller": return "control"
        case "network", "compute", "monitoring", "storage", "deployment": return role
        default: return nil
        }
    }

    /// The deployment host kolla's own inventories use.
    public static let localDeploymentLine = "localhost ansible_connection=local"

    /// The host lines of each of the six groups, keyed by group name.
    public static func hostLines(_ status: LabStatus) throws(VMCtlError) -> [String: [String]] {
        var members: [String: [String]] = [:]
        for group in groups { members[group] = [] }
        for node in status.nodes {
            let wanted = node.roles.compactMap(group(forRole:))
            guard !wanted.isEmpty else { continue }
            let line = "\(node.name) ansible_host=\(try inventoryAddress(of: node)) ansible_become=true \(connectionVariables(status.login, lab: status.lab, node: node.name))"
            for group in wanted where members[group]?.contains(line) == false {
                members[group]!.append(line)
            }
        }
        for group in ["network", "monitoring"] where members[group]!.isEmpty {
            members[group] = members["control"]!
        }
        if members["deployment"]!.isEmpty { members["deployment"] = [localDeploymentLine] }
        return members
    }

    /// A standalone inventory holding only the six top groups.
    ///
    /// kolla-ansible also needs its per-service groups (`[nova:children]`, …): use it
    /// together with kolla's multinode file (`kolla-ansible -i multinode -i this`) or
    /// write the groups into a copy of that file with ``edit(multinode:status:)``.
    public static func render(_ status: LabStatus) throws(VMCtlError) -> String {
        let members = try hostLines(status)
        var lines = ["# kolla-ansible top groups for lab \(status.lab), written by vmctl."]
        for group in groups {
            lines.append("")
            lines.append("[\(group)]")
            lines += members[group]!
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A user's copy of kolla's multinode file with only the six top groups' hosts replaced.
    ///
    /// In each `[control]`, `[network]`, `[compute]`, `[monitoring]`, `[storage]` and
    /// `[deployment]` section, host lines (lines that are neither blank nor comments)
    /// are removed and the lab's host lines are put where the first one was (or after
    /// the header and the comments directly below it, when the section had none).
    /// Every other line stays byte for byte: comments, blank lines, `[x:children]`
    /// and `[x:vars]` sections, and line endings (CRLF files get CRLF host lines).
    /// A section that appears twice gets the hosts in its first occurrence only.
    /// A top group missing from the file is appended at its end.
    public static func edit(multinode: String, status: LabStatus) throws(VMCtlError) -> String {
        let members = try hostLines(status)
        // Split on the scalar "\n": as Characters, "\r\n" is one and would not split.
        var input = multinode.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        let endsWithNewline = input.last == ""
        if endsWithNewline { input.removeLast() }

        // Cut the file into a preamble and sections, each starting at its header line.
        var sections: [[String]] = [[]]
        for line in input {
            if sectionName(line) != nil { sections.append([]) }
            sections[sections.count - 1].append(line)
        }

        var output = sections[0]
        var filled: Set<String> = []
        for section in sections.dropFirst() {
            let name = sectionName(section[0])!
            guard groups.contains(name) else {
                output += section
                continue
            }
            let crlf = section[0].hasSuffix("\r")
            let hosts = filled.contains(name) ? [] : members[name]!.map { crlf ? $0 + "\r" : $0 }
            filled.insert(name)
            let body = section.dropFirst()
            let kept = body.filter { !isHostLine($0) }
            // Where the first host line was, counted in kept lines; else after the
            // comments directly under the header.
            let at: Int
            if let first = body.firstIndex(where: isHostLine) {
                at = body[..<first].filter { !isHostLine($0) }.count
            } else {
                at = kept.prefix { isComment($0) }.count
            }
            output.append(section[0])
            output += kept.prefix(at)
            output += hosts
            output += kept.dropFirst(at)
        }

        let missing = groups.filter { !filled.contains($0) }
        for group in missing {
            output.append("")
            output.append("[\(group)]")
            output += members[group]!
        }
        return output.joined(separator: "\n") + (endsWithNewline || !missing.isEmpty ? "\n" : "")
    }

    /// The name between the brackets of an INI section header, or nil.
    static func sectionName(_ line: String) -> String? {
        let trimmed = line.trimmingWhitespace()
        guard trimmed.count >= 2, trimmed.hasPrefix("["), trimmed.hasSuffix("]") else { return nil }
        return String(trimmed.dropFirst().dropLast()).trimmingSpaces()
    }

    static func isComment(_ line: String) -> Bool {
        let trimmed = line.trimmingWhitespace()
        return trimmed.hasPrefix("#") || trimmed.hasPrefix(";")
    }

    /// A line in a section body that is neither blank nor a comment.
    static func isHostLine(_ line: String) -> Bool {
        !line.trimmingWhitespace().isEmpty && !isComment(line)
    }
}
