import Foundation
import Testing
@testable import HostCheck

struct ProcessTreeTests {
    @Test func parentPIDIsCountedFromTheLastParenthesis() {
        #expect(ProcessTree.parentPID(stat: "8751 (cat) R 8748 8748 1890 0 -1 4194304 99 0") == 8748)
        // A command name may hold spaces and parentheses.
        #expect(ProcessTree.parentPID(stat: "42 (a) b (c)) S 7 42 42 0") == 7)
        #expect(ProcessTree.parentPID(stat: "42 (no close S 7") == nil)
        #expect(ProcessTree.parentPID(stat: "42 (x) S") == nil)
        #expect(ProcessTree.parentPID(stat: "") == nil)
    }

    @Test func descendantsAreWholeSubtreesParentsFirst() {
        let parents: [pid_t: pid_t] = [10: 1, 11: 10, 12: 10, 13: 11, 14: 13, 20: 1, 21: 20]
        #expect(ProcessTree.descendants(of: 10, parents: parents) == [11, 12, 13, 14])
        #expect(ProcessTree.descendants(of: 20, parents: parents) == [21])
        #expect(ProcessTree.descendants(of: 14, parents: parents).isEmpty)
        // A cycle (a pid reused while the table was read) ends.
        #expect(ProcessTree.descendants(of: 1, parents: [1: 2, 2: 1]) == [2])
    }

    /// A child killed at its deadline takes what it started with it: a shell
    /// with two sleeps of its own, one a grandchild, leaves none running.
    @Test func aTimedOutChildLeavesNothingItStartedRunning() throws {
        let pids = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-tree-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: pids) }
        let script = "sleep 300 & echo $! >>\(pids); sh -c 'sleep 301 & echo $! >>\(pids); wait' & wait"
        let result = try ChildProcess.run("/bin/sh", ["-c", script], timeout: 1)
        #expect(result.timedOut)
        #expect(result.status == 128 + SIGKILL)
        let started = try String(contentsOfFile: pids, encoding: .utf8).split(separator: "\n").compactMap { pid_t($0) }
        #expect(started.count == 2)
        // Killed orphans are reaped by whatever adopts them; until then they
        // are zombies, which run nothing.
        let deadline = Date().addingTimeInterval(5)
        var running = started
        while !running.isEmpty && Date() < deadline {
            running = started.filter { pid in
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { return false }
                return !stat[stat.index(after: close)...].hasPrefix(" Z")
            }
            if !running.isEmpty { usleep(50_000) }
        }
        #expect(running.isEmpty, "still running: \(running)")
    }
}
