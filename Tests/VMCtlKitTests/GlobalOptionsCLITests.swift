import Foundation
import Testing
@testable import VMCtlKit

/// The built `vmctl` binary with virsh's habits: global options before the
/// command, a VM named by UUID, and the parser's errors as one vmctl line.
@Suite struct GlobalOptionsCLITests {
    @Test(arguments: [
        (["-c", Fixture.nodeURI, "vm", "list", "-o", "json"], "vm-list.json"),
        (["--connect=\(Fixture.nodeURI)", "--output", "json", "vm", "list"], "vm-list.json"),
        // The later one wins.
        (["-o", "json", "vm", "list", "--connect", Fixture.nodeURI, "-o", "text"], "vm-list.txt"),
        (["-c", "test:///nonexistent.xml", "-q", "vm", "list", "-c", Fixture.nodeURI], "vm-list.txt"),
        // UUIDs where names go, as virsh takes them.
        (["-c", Fixture.nodeURI, "vm", "show", "11111111-2222-3333-4444-000000000001"], "vm-show.txt"),
        (["vm", "show", "11111111222233334444000000000001", "-c", Fixture.nodeURI, "-o", "json"], "vm-show.json"),
    ])
    func globalOptionsBeforeTheCommand(arguments: [String], golden: String) throws {
        let result = try runVMCtl(arguments)
        #expect(result.status == 0, "\(arguments): \(result.errors)")
        #expect(result.errors.isEmpty)
        try expectGolden(result.output, golden)
    }

    @Test func defaultURIFromTheEnvironmentStillApplies() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["LIBVIRT_DEFAULT_URI"] = Fixture.nodeURI
        let result = try ChildProcess.run(vmctlBinary().path, ["-q", "vm", "list"], environment: environment)
        #expect(result.status == 0, "\(result.errors)")
        try expectGolden(result.output, "vm-list.txt")
        let verbose = try ChildProcess.run(vmctlBinary().path, ["-v", "vm", "list", "-o", "json"], environment: environment)
        #expect(verbose.errors.contains("connected to \(Fixture.nodeURI) (TEST driver"), "\(verbose.errors)")
        try expectGolden(verbose.output, "vm-list.json")
    }

    @Test func snapshotsAndLifecycleTakeAUUID() throws {
        let uuid = "11111111-2222-3333-4444-000000000001"
        let destroyed = try runVMCtl(["-c", Fixture.nodeURI, "vm", "destroy", uuid])
        #expect(destroyed.status == 0, "\(destroyed.errors)")
        #expect(destroyed.output == "destroyed lab-controller\n")
        let snapshots = try runVMCtl(["-c", Fixture.nodeURI, "snapshot", "list", uuid, "-o", "json"])
        #expect(snapshots.status == 0, "\(snapshots.errors)")
        let missing = try runVMCtl(["-c", Fixture.nodeURI, "vm", "start", "11111111-2222-3333-4444-0000000000ff"])
        #expect(missing.status == 64)
        #expect(missing.errors == "vmctl: error: vm: no domain named or with UUID '11111111-2222-3333-4444-0000000000ff'\n")
    }

    /// One line, exit 64, nothing on stdout.
    @Test(arguments: [
        (["nosuch"], "unknown command 'nosuch'; the commands are host, image, lab, net, pool, snapshot, version, vm, vol"),
        (["help", "nosuch"], "unknown command 'nosuch'; the commands are host, image, lab, net, pool, snapshot, version, vm, vol"),
        (["-c", "test:///default", "vm", "lsit"],
         "vm: unknown command 'lsit'; the commands are attach-disk, attach-nic, autostart, clone, console, create, define, delete, destroy, detach-disk, "
         + "detach-nic, edit, ip, list, rename, restart, resume, scp, set, show, ssh, start, stop, suspend, undefine, xml"),
        (["vm", "list", "--bogus"], "unknown option '--bogus'"),
        (["vm", "show"], "missing expected argument '<name>'"),
        (["vm", "list", "-c"], "missing value for '-c <connect>'"),
    ])
    func parserErrorsAreOneLine(arguments: [String], message: String) throws {
        let result = try runVMCtl(arguments)
        #expect(result.status == 64)
        #expect(result.output.isEmpty)
        #expect(result.errors == "vmctl: error: \(message)\n")
    }

    @Test func aPrivateKeyGivenToSSHKeyIsNeverEchoed() throws {
        let key = """
            -----BEGIN OPENSSH PRIVATE KEY-----
            b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
            QyNTUxOQAAACBVq5c1jvl8Lzp6dGWSUSdm2ZmuHpvQUWgE9oxxFV7pzA==
            -----END OPENSSH PRIVATE KEY-----
            """
        let base = ["vm", "create", "web1", "--disk-size", "8M", "--pool", "lab-pool", "--type", "qemu", "-c", Fixture.nodeURI]
        for arguments in [base + ["--ssh-key", key], base + ["--ssh-key=\(key)"], ["--ssh-key", key] + base,
                          base + ["--ssh-key", key, "--bogus"], base + ["--password", "s3cret-pw", "--bogus"]] {
            let result = try runVMCtl(arguments)
            #expect(result.status == 64, "\(result.errors)")
            #expect(result.output.isEmpty)
            #expect(result.errors.hasPrefix("vmctl: error: "))
            #expect(result.errors.split(separator: "\n").count == 1, "\(result.errors)")
            for secret in ["PRIVATE", "b3Bl", "QyNT", "pzA", "s3cret"] {
                #expect(!result.errors.contains(secret), "\(result.errors)")
            }
        }
        let parsed = try runVMCtl(base + ["--ssh-key=\(key)"])
        #expect(parsed.errors == "vmctl: error: --ssh-key: that is a private key; give the public one (the .pub file)\n")
    }
}
