import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A process and everything it started, read from /proc, so that a child
/// killed at its deadline does not leave its own children running (a timed-out
/// `kolla-ansible` left its `ansible-playbook` and that one's ssh behind).
/// Children stay in vmctl's process group, so a Ctrl-C at the terminal still
/// reaches them all; this is for the kills vmctl makes itself.
public enum ProcessTree {
    /// The parent pid in the text of `/proc/PID/stat`. The command name in
    /// field 2 is in parentheses and may hold spaces and parentheses itself,
    /// so the fields are counted from the last `)`: state, then the parent pid.
    public static func parentPID(stat: String) -> pid_t? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2 else { return nil }
        return pid_t(fields[1])
    }

    /// Every descendant of `root` in a pid → parent pid map, parents before
    /// their children.
    public static func descendants(of root: pid_t, parents: [pid_t: pid_t]) -> [pid_t] {
        var children: [pid_t: [pid_t]] = [:]
        for (pid, parent) in parents { children[parent, default: []].append(pid) }
        var found: [pid_t] = []
        var queue = [root]
        var seen: Set<pid_t> = [root]
        while !queue.isEmpty {
            let pid = queue.removeFirst()
            for child in (children[pid] ?? []).sorted() where seen.insert(child).inserted {
                found.append(child)
                queue.append(child)
            }
        }
        return found
    }

    /// Every running process's parent, from /proc.
    static func parents() -> [pid_t: pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [:] }
        var parents: [pid_t: pid_t] = [:]
        for entry in entries {
            guard let pid = pid_t(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let parent = parentPID(stat: stat) else { continue }
            parents[pid] = parent
        }
        return parents
    }

    /// Stops `root` and its descendants with SIGSTOP first, so none starts
    /// another while the tree is read, then kills them all with SIGKILL.
    /// `root` must still be unreaped, so its pid cannot have been reused.
    public static func kill(_ root: pid_t) {
        Glibc.kill(root, SIGSTOP)
        var stopped: Set<pid_t> = [root]
        // Two passes: a child forked between reading the tree and stopping
        // its parent is found by the second.
        for _ in 0..<2 {
            for pid in descendants(of: root, parents: parents()) where stopped.insert(pid).inserted {
                Glibc.kill(pid, SIGSTOP)
            }
        }
        for pid in stopped { Glibc.kill(pid, SIGKILL) }
    }
}
