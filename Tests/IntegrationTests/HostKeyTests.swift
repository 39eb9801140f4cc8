import Foundation
import Glibc
import HostCheck
import Libvirt
import NoCloud
import Testing
import VMCtlKit

/// The known_hosts lines of `alias` in `file`.
private func knownKeys(_ file: String, _ alias: String) -> [String] {
    let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").filter { $0.hasPrefix(alias + " ") }.map { $0.split(separator: " ").dropFirst().joined(separator: " ") }
}

/// Mode and owner of `path`, not following a link.
private func modeAndOwner(_ path: String) -> (mode: mode_t, uid: uid_t, gid: gid_t)? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return (info.st_mode & 0o7777, info.st_uid, info.st_gid)
}

/// Host keys without booting a guest: vm create seeds them and records them,
/// vm clone gives the clone its own, vm delete removes each VM's entries; the
/// seeds are root's alone, and nothing vmctl prints holds a private key.
@Suite(.enabled(if: Daemon.enabled), .serialized) struct IntegrationHostKeyTests {
    @Test func createRecordsCloneRenewsDeleteRemoves() async throws {
        let scope = try TestScope("h22k")
        defer { scope.clean() }
        let disk = try scope.guestDisk()
        let poolName = scope.name("pool")
        let knownHosts = Daemon.runDirectory.appendingPathComponent(scope.name("known_hosts")).path
        let environment = ProcessInfo.processInfo.environment.merging(["VMCTL_KNOWN_HOSTS": knownHosts]) { $1 }
        func vmctl(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
            try await runOffThePool(vmctlBinary(), arguments + ["-c", Daemon.uri], environment: environment, timeout: 600)
        }
        let source = scope.name("src"), clone = scope.name("copy")
        let created = try await vmctl(["vm", "create", source, "--disk-size", "16M", "--pool", poolName,
                                       "--memory", "64M", "--hostname", "src", "-o", "json"])
        try #require(created.status == 0, "vm create: \(created.errors)")
        let sourceKeys = knownKeys(knownHosts, source)
        #expect(sourceKeys.map { $0.split(separator: " ")[0] } == ["ssh-ed25519", "ecdsa-sha2-nistp256"], "\(sourceKeys)")
        #expect(modeAndOwner(knownHosts)?.mode == 0o600)

        // The seed holds the private halves of exactly those keys, and is root's alone.
        try disk.pool.refresh()
        let seedPath = try disk.pool.volume(named: "\(source)-seed.iso").path()
        let owner = try #require(modeAndOwner(seedPath))
        #expect(owner.mode == 0o600 && owner.uid == 0 && owner.gid == 0, "\(owner)")
        let seed = try SeedImage(iso: try Data(contentsOf: URL(fileURLWithPath: seedPath)))
        #expect(seed.userData.contains("ssh_deletekeys: true") && seed.userData.contains("ed25519_private: |"))
        for key in sourceKeys { #expect(seed.userData.contains(key)) }

        let cloned = try await vmctl(["vm", "clone", source, clone, "-o", "json"])
        try #require(cloned.status == 0, "vm clone: \(cloned.errors)")
        let cloneKeys = knownKeys(knownHosts, clone)
        #expect(cloneKeys.count == 2 && Set(cloneKeys).isDisjoint(with: sourceKeys), "\(cloneKeys) \(sourceKeys)")
        try disk.pool.refresh()
        let cloneSeedPath = try disk.pool.volume(named: "\(clone)-seed.iso").path()
        #expect(modeAndOwner(cloneSeedPath)?.mode == 0o600)
        let cloneSeed = try SeedImage(iso: try Data(contentsOf: URL(fileURLWithPath: cloneSeedPath)))
        for key in cloneKeys { #expect(cloneSeed.userData.contains(key)) }
        for key in sourceKeys { #expect(!cloneSeed.userData.contains(key)) }

        // Nothing printed carries a private key.
        for run in [created, cloned] { #expect(!(run.output + run.errors).contains("PRIVATE KEY"), "\(run.output)") }

        // A VM without a cloud-init option gets no seed, so no keys either.
        let bare = scope.name("bare")
        let plain = try await vmctl(["vm", "create", bare, "--disk-size", "16M", "--pool", poolName, "--memory", "64M"])
        try #require(plain.status == 0, "vm create: \(plain.errors)")
        #expect(knownKeys(knownHosts, bare).isEmpty)

        let deleted = try await vmctl(["vm", "delete", clone, "--force"])
        #expect(deleted.status == 0, "vm delete: \(deleted.errors)")
        #expect(knownKeys(knownHosts, clone).isEmpty && knownKeys(knownHosts, source) == sourceKeys)
        #expect(try await vmctl(["vm", "delete", source, "--force"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: knownHosts), "the file goes with its last entry")
    }
}

extension IntegrationCloudGuestTests {
    /// On a running seeded guest (`vm`, at `address`): the key it presents is
    /// the one vmctl recorded; `vm ssh` logs in with strict checking; once the
    /// guest's host keys are replaced, `vm ssh` is refused on one line naming
    /// the VM and both fingerprints. `other` (its source or clone) has other keys.
    func checkKnownHostKeys(vm: String, address: String, other: String) async throws {
        let file = KnownHost.singleVMFile
        let known = knownKeys(file, vm)
        try #require(known.count == 2, "\(file): \(known)")
        #expect(Set(known).isDisjoint(with: knownKeys(file, other)), "\(vm) and \(other) share host keys")
        let guestKey = try CloudImage.ssh(address, ["cat", "/etc/ssh/ssh_host_ed25519_key.pub"])
        #expect(known.contains(guestKey.split(separator: " ").prefix(2).joined(separator: " ")), "\(guestKey) not in \(known)")

        let before = try await runVMCtl(["vm", "ssh", vm, "-c", Daemon.uri, "--", "hostname"], timeout: 300)
        #expect(before.status == 0 && before.output == vm + "\n", "vm ssh: \(before.errors)")

        // New host keys, as a rebuilt or impostor guest would have.
        _ = try CloudImage.ssh(address, ["sudo", "sh", "-c",
            "rm -f /etc/ssh/ssh_host_*_key* && ssh-keygen -A >/dev/null && systemctl restart ssh"])
        let presented = try CloudImage.ssh(address, ["ssh-keygen", "-l", "-E", "sha256", "-f", "/etc/ssh/ssh_host_ed25519_key.pub"])
            .split(separator: " ")[1]
        let expected = try #require(HostKeyFingerprint.of(known.first { $0.hasPrefix("ssh-ed25519 ") } ?? ""))
        let refused = try await runVMCtl(["vm", "ssh", vm, "-c", Daemon.uri, "--", "hostname"], timeout: 300)
        #expect(refused.status != 0 && refused.output.isEmpty, "vm ssh was not refused: \(refused.output)")
        let lines = refused.errors.split(separator: "\n")
        #expect(lines.count == 1, "\(refused.errors)")
        #expect(refused.errors.contains("\(vm): host key mismatch at \(address): expected ED25519 \(expected), presented ED25519 \(presented)"),
                "\(refused.errors)")
        let copy = try await runVMCtl(["vm", "scp", "-c", Daemon.uri, "\(vm):/etc/hostname", "/dev/null"], timeout: 300)
        #expect(copy.status != 0 && copy.errors.contains("host key mismatch"), "vm scp: \(copy.errors)")
    }
}

extension IntegrationCloudLabTests {
    /// The lab's inventory checks host keys strictly against the lab's own
    /// known_hosts, Ansible reaches every node so, and fails without those keys;
    /// every node's seed is root's alone.
    func checkLabHostKeys(plan: LabPlan, planPath: String, inventory: String, environment: [String: String]) async throws {
        let file = KnownHost.labFile(plan.name)
        #expect(modeAndOwner(file)?.mode == 0o600)
        let text = try String(contentsOfFile: inventory, encoding: .utf8)
        for node in plan.nodes {
            let alias = plan.objectName(node.name)
            #expect(knownKeys(file, alias).count == 2, "\(alias) in \(file)")
            #expect(text.contains("ansible_ssh_common_args='-o StrictHostKeyChecking=yes -o UserKnownHostsFile=\(file) -o HostKeyAlias=\(alias)'"))
            let connection = try Connection(uri: plan.hosts[node.host] ?? Daemon.uri)
            let seed = try connection.storagePool(named: node.pool).volume(named: "\(alias)-seed.iso").path()
            #expect(modeAndOwner(seed)?.mode == 0o600, "\(seed)")
        }
        #expect(!text.contains("StrictHostKeyChecking=no"))
        var strict = environment
        strict["ANSIBLE_HOST_KEY_CHECKING"] = "True"
        let ping = try await runOffThePool("/usr/bin/ansible", ["all:!localhost", "-i", inventory, "-m", "ping"],
                                           environment: strict, timeout: 300)
        #expect(ping.status == 0, "ansible ping with strict host keys: \(ping.output) \(ping.errors)")
        for node in plan.nodes { #expect(ping.output.contains("\(node.name) | SUCCESS"), "\(node.name): \(ping.output)") }
        // The same with an empty known_hosts: strict checking has nothing to match, so nothing is reached.
        // A new connection each (no ControlPersist master from the ping above, which would skip the check).
        strict["ANSIBLE_SSH_ARGS"] = "-o ControlMaster=no"
        let empty = try await runOffThePool("/usr/bin/ansible", [
            "all:!localhost", "-i", inventory, "-m", "ping", "-e",
            "ansible_ssh_common_args='-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/dev/null'",
        ], environment: strict, timeout: 300)
        #expect(empty.status != 0 && empty.output.contains("UNREACHABLE"), "\(empty.output) \(empty.errors)")
        // cloud-init printed the keys vmctl made on each node's console, and the
        // fallback reads them there: with a node's entries gone, lab ssh learns them
        // from its serial log (not from the network) and logs in.
        for node in plan.nodes {
            let log = "\(plan.serialDirectory)/\(node.name).log"
            let printed = ConsoleHostKeys.parse((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
            let known = knownKeys(file, plan.objectName(node.name))
            #expect(!printed.isEmpty && Set(printed).isSubset(of: known), "\(node.name): console \(printed), known \(known)")
        }
        let storage = KnownHost(file: file, alias: plan.objectName("storage"))
        let before = try storage.keys()
        try storage.remove()
        let relearnt = try await runVMCtl(["lab", "ssh", planPath, "storage", "-c", Daemon.uri, "--", "true"], timeout: 300)
        #expect(relearnt.status == 0, "lab ssh after its entries were removed: \(relearnt.errors)")
        let after = try storage.keys()
        #expect(!after.isEmpty && Set(after).isSubset(of: Set(before)), "\(after) \(before)")
    }
}
