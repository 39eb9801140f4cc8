import Foundation
import Testing
import VMCtlKit

/// kolla-ansible 21's own `prechecks` (OpenStack 2025.2) against the real-guest
/// OpenStack-shaped lab (issue 22), with kolla's default service set plus what
/// `vmctl lab kolla-globals` enables: the inventory is kolla's multinode file
/// with its six top groups written by `vmctl lab inventory --multinode`, the
/// globals are vmctl's, the passwords kolla-genpwd's. Docker is started on the
/// nodes first, as kolla's bootstrap-servers would (the cloud image carries
/// docker.io, python3-docker and python3-dbus, disabled). Every precheck task
/// must pass on every node.
extension IntegrationCloudLabTests {
    /// Scripts/install-kolla-ansible.sh's output: the venv and the openstack.kolla collection.
    static let kollaAnsible = ProcessInfo.processInfo.environment["VMCTL_KOLLA_ANSIBLE"] ?? "/var/lib/vmctl/kolla-ansible"

    func kollaPrecheckSteps(planPath: String, directory: String, inventory: String, environment: [String: String]) async throws {
        let bin = Self.kollaAnsible + "/venv/bin"
        let share = Self.kollaAnsible + "/venv/share/kolla-ansible"
        try #require(FileManager.default.isExecutableFile(atPath: bin + "/kolla-ansible"),
                     "no kolla-ansible in \(Self.kollaAnsible): run Scripts/install-kolla-ansible.sh")
        let config = directory + "/kolla"
        try? FileManager.default.removeItem(atPath: config)
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)

        // globals.yml: vmctl's overrides alone; kolla needs nothing else from
        // this lab that vmctl does not write.
        let globals = try await runVMCtl(["lab", "kolla-globals", planPath, "-c", Daemon.uri])
        try #require(globals.status == 0, "lab kolla-globals: \(globals.errors)")
        try globals.output.write(toFile: config + "/globals.yml", atomically: true, encoding: .utf8)

        // passwords.yml: kolla's empty template, filled in place by kolla-genpwd.
        // Its secrets stay in the file: nothing below prints it.
        try FileManager.default.copyItem(atPath: share + "/etc_examples/kolla/passwords.yml", toPath: config + "/passwords.yml")
        let genpwd = try await runOffThePool(bin + "/kolla-genpwd", ["-p", config + "/passwords.yml"], timeout: 120)
        try #require(genpwd.status == 0, "kolla-genpwd: \(genpwd.errors)")

        // The inventory: kolla 21's own multinode file (its per-service groups)
        // with the six top groups vmctl writes; the host lines are those of the
        // standalone `--format kolla` inventory, host-key options included.
        let multinode = config + "/multinode"
        try FileManager.default.copyItem(atPath: share + "/ansible/inventory/multinode", toPath: multinode)
        let edit = try await runVMCtl(["lab", "inventory", planPath, "-c", Daemon.uri, "--format", "kolla", "--multinode", multinode])
        try #require(edit.status == 0, "lab inventory --multinode: \(edit.errors)")
        let edited = try String(contentsOfFile: multinode, encoding: .utf8)
        let hostLines = try String(contentsOfFile: inventory, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.hasPrefix("[") }
        #expect(!hostLines.isEmpty && hostLines.allSatisfy { edited.contains($0) }, "\(edited)")

        // kolla-ansible runs the ansible-playbook it finds on PATH: the venv's.
        // The deployment host (`localhost ansible_connection=local`, as in kolla's
        // own inventories) runs modules with the venv's Python rather than the one
        // interpreter discovery picks (on a machine with pyenv, a shim of a
        // Python that is not installed). Pipelining: one ssh round trip per task
        // instead of three, which under TCG is most of a task's time.
        let kollaEnvironment = environment.merging([
            "PATH": bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin"),
            "ANSIBLE_COLLECTIONS_PATH": Self.kollaAnsible + "/collections",
            "ANSIBLE_PYTHON_INTERPRETER": bin + "/python3",
            "ANSIBLE_PIPELINING": "1",
            "ANSIBLE_SSH_CONTROL_PATH_DIR": directory + "/ansible-cp-kolla",
        ]) { $1 }

        // Docker, started as kolla's bootstrap-servers would (its docker role's
        // last step); the image leaves it disabled so that other tests' boots do
        // not pay for it.
        let docker = try await runOffThePool(bin + "/ansible", [
            "baremetal", "-i", multinode, "-m", "ansible.builtin.systemd_service", "-a", "name=docker state=started",
        ], environment: kollaEnvironment, timeout: 600)
        #expect(docker.status == 0, "starting docker: \(docker.output) \(docker.errors)")

        // Every rule of `lab check` holds right before the prechecks, the
        // clock's among them: a guest's chrony that the rule steps above
        // restarted, or that a loaded host's TCG delays made doubt its source,
        // may not yet count as synchronized (a CI run's storage node did not,
        // a minute after `lab check` had passed). Waited for, with a bound.
        try await expectCheckPasses(planPath, within: 300, "right before kolla-ansible's prechecks")

        let clock = ContinuousClock()
        let started = clock.now
        let prechecks = try await runOffThePool(bin + "/kolla-ansible", ["prechecks", "-i", multinode, "--configdir", config],
                                                environment: kollaEnvironment, timeout: 2400)
        let took = clock.now - started
        try prechecks.output.write(toFile: directory + "/kolla-prechecks.log", atomically: true, encoding: .utf8)
        print("kolla-ansible prechecks on 3 real guests: \(took) (\(Self.taskCount(prechecks.output)) tasks; log \(directory)/kolla-prechecks.log)")

        let failed = Self.failedTasks(prechecks.output)
        #expect(failed.isEmpty, "failed precheck tasks: \(failed)")
        #expect(prechecks.status == 0, "kolla-ansible prechecks: \(prechecks.status) \(prechecks.output.suffix(6000)) \(prechecks.errors.suffix(2000))")
        // It ran against every node: each is in the recap, reached, with nothing failed.
        for node in ["controller", "compute", "storage", "localhost"] {
            let recap = prechecks.output.split(separator: "\n").last { $0.hasPrefix(node + " ") && $0.contains("ok=") }
            #expect(recap?.contains("unreachable=0") == true && recap?.contains("failed=0") == true, "\(node): \(recap ?? "not in the recap")")
        }
        #expect(prechecks.output.contains("TASK [prechecks : Checking Docker version]"))
        #expect(prechecks.output.contains("TASK [cinder : Checking LVM volume group exists for Cinder]"))
    }

    /// The tasks of an ansible-playbook run that failed, as `HOST: ROLE : TASK`:
    /// each `fatal: [HOST]` or `failed: [HOST]` line under its `TASK [...]`
    /// header, unless ansible ignored it (`...ignoring` right after).
    static func failedTasks(_ output: String) -> [String] {
        var task = ""
        var failed: [String] = []
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            if line.hasPrefix("TASK ["), let end = line.range(of: "] ", options: .backwards) {
                task = String(line[line.index(line.startIndex, offsetBy: 6)..<end.lowerBound])
            } else if line.hasPrefix("fatal: [") || line.hasPrefix("failed: [") {
                let host = line.split(separator: "[", maxSplits: 1)[1].prefix { $0 != "]" }
                let ignored = lines[(index + 1)...].prefix { !$0.hasPrefix("TASK [") && !$0.hasPrefix("ok: [")
                    && !$0.hasPrefix("fatal: [") && !$0.hasPrefix("failed: [") && !$0.hasPrefix("skipping: [") }
                    .contains { $0.hasPrefix("...ignoring") }
                if !ignored { failed.append("\(host): \(task)") }
            }
        }
        return Array(Set(failed)).sorted()
    }

    /// How many task headers the run printed.
    static func taskCount(_ output: String) -> Int {
        output.split(separator: "\n").filter { $0.hasPrefix("TASK [") }.count
    }
}
