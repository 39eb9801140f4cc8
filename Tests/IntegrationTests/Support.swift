import Foundation
import Libvirt
import Testing
import VMCtlKit

/// The real libvirtd with the QEMU driver that integration tests use.
enum Daemon {
    static let uri = "qemu:///system"

    /// Tests run whenever the daemon answers, and always when
    /// VMCTL_REQUIRE_INTEGRATION=1 (CI): then an unreachable daemon fails them.
    static let enabled: Bool = {
        if ProcessInfo.processInfo.environment["VMCTL_REQUIRE_INTEGRATION"] == "1" { return true }
        return (try? Connection(uri: uri, readOnly: true)) != nil
    }()

    static func connect() throws -> Connection { try Connection(uri: uri) }

    /// The test guest built by Scripts/build-test-image.sh.
    static let image = URL(fileURLWithPath: ProcessInfo.processInfo.environment["VMCTL_TEST_IMAGE"] ?? "/var/lib/vmctl/test-image")
    /// Serial logs and scratch files.
    static let runDirectory = URL(fileURLWithPath: "/var/lib/vmctl/test-run")
}

enum Fixture {
    /// The repository's root folder.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Everything a test creates carries its own `vmctl-test-<scope>-` prefix, so
/// tests running in parallel never clean each other's objects. The prefix is
/// cleaned before and after each test, as libvirt's TCK does.
struct TestScope {
    let prefix: String
    let connection: Connection

    init(_ scope: String) throws {
        prefix = "vmctl-test-\(scope)-"
        connection = try Daemon.connect()
        clean()
        try FileManager.default.createDirectory(at: Daemon.runDirectory, withIntermediateDirectories: true)
    }

    func name(_ suffix: String) -> String { prefix + suffix }

    /// A disk to boot the test guest from: a 64 MiB qcow2 overlay `root.qcow2`
    /// on the shared base image, in a dir pool of the scope's own, so the base
    /// is never written. `baseBefore` is the base's bytes, to check that after.
    func guestDisk(needing files: [String] = ["vmlinuz", "initrd.img", "base.qcow2"]) throws
        -> (pool: StoragePool, root: StorageVolume, base: String, baseBefore: Data) {
        for file in files {
            try #require(
                FileManager.default.fileExists(atPath: Daemon.image.appendingPathComponent(file).path),
                "test guest missing: run Scripts/build-test-image.sh")
        }
        let poolPath = Daemon.runDirectory.appendingPathComponent(name("pool")).path
        let pool = try connection.defineStoragePool(xml: """
            <pool type='dir'><name>\(name("pool"))</name><target><path>\(poolPath)</path></target></pool>
            """)
        try pool.build()
        try pool.start()
        let base = Daemon.image.appendingPathComponent("base.qcow2").path
        let baseBefore = try Data(contentsOf: URL(fileURLWithPath: base))
        let root = try pool.createVolume(xml: """
            <volume><name>root.qcow2</name><capacity unit='MiB'>64</capacity><target><format type='qcow2'/></target>
            <backingStore><path>\(base)</path><format type='qcow2'/></backingStore></volume>
            """)
        return (pool, root, base, baseBefore)
    }

    /// Removes domains, networks, pools (with their volumes) and scratch files under the prefix.
    func clean() {
        for domain in (try? connection.domains()) ?? [] where domain.name.hasPrefix(prefix) {
            if (try? domain.isActive()) == true { try? domain.destroy() }
            try? domain.undefine([.managedSave, .snapshotsMetadata, .nvram])
        }
        for network in (try? connection.networks()) ?? [] where network.name.hasPrefix(prefix) {
            if (try? network.isActive()) == true { try? network.destroy() }
            try? network.undefine()
        }
        for pool in (try? connection.storagePools()) ?? [] where pool.name.hasPrefix(prefix) {
            if (try? pool.isActive()) != true { try? pool.start() }
            for volume in (try? pool.volumes()) ?? [] { try? volume.delete() }
            try? pool.destroy()
            try? pool.delete()
            try? pool.undefine()
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: Daemon.runDirectory.path)) ?? []
        for file in files where file.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: Daemon.runDirectory.appendingPathComponent(file))
        }
    }

    /// A /24 in 10.100–249.77 (SubnetReservations) that no libvirt network and no host route uses.
    /// Tests in parallel pick different ones by hashing their prefix first.
    func freeSubnet() throws -> String {
        var used = (try? String(contentsOfFile: "/proc/net/fib_trie", encoding: .utf8)) ?? ""
        for network in try connection.networks() { used += (try? network.xml()) ?? "" }
        // Tests run in parallel: a subnet handed out here is never handed out
        // again in this process, even before its network exists.
        return try SubnetReservations.shared.reserve { candidate in !used.contains(candidate + ".") }
    }
}

/// The 10.100–249.77.0/24 subnets handed out to tests, across test processes
/// (150: the main test process used up 50 once the spanning suites came):
/// CI runs the real-guest suites in a process of their own beside the others,
/// and a subnet one process picked must not be picked by the other before its
/// network exists. Each is claimed by a marker file naming the claiming
/// process (created with O_EXCL); a dead process's marker is taken over.
/// (10.254.77.0/24 belongs to NoCloudTests' seed boots.)
final class SubnetReservations: @unchecked Sendable {
    static let shared = SubnetReservations()
    private let lock = NSLock()
    private var taken = Set<String>()
    private let directory = Daemon.runDirectory.appendingPathComponent("subnets").path

    func reserve(where isFree: (String) -> Bool) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for third in 100..<250 {
            let candidate = "10.\(third).77"
            if !taken.contains(candidate) && isFree(candidate) && claim(candidate) {
                taken.insert(candidate)
                return candidate
            }
        }
        throw TestFailure("no free 10.x.77.0/24 subnet")
    }

    /// Whether this process now holds `candidate`'s marker.
    private func claim(_ candidate: String) -> Bool {
        let marker = "\(directory)/\(candidate)"
        for _ in 0..<2 {
            let descriptor = open(marker, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if descriptor >= 0 {
                let pid = "\(getpid())"
                _ = pid.withCString { write(descriptor, $0, strlen($0)) }
                close(descriptor)
                return true
            }
            // Held: by a live process, leave it; by a dead one, take it over.
            guard let text = try? String(contentsOfFile: marker, encoding: .utf8), let owner = Int32(text) else { return false }
            if owner == getpid() || kill(owner, 0) == 0 { return false }
            unlink(marker)
        }
        return false
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Waits until `condition` holds, polling; false when the deadline passes.
func waitUntil(seconds: Double, poll: Double = 0.2, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: poll)
    }
    return try condition()
}

/// Lines the guest printed on its serial console (file-backed serial port).
func serialLines(_ path: URL) -> [String] {
    let text = (try? String(contentsOf: path, encoding: .utf8)) ?? ""
    return text.replacingOccurrences(of: "\r", with: "").split(separator: "\n").map(String.init)
}

/// Runs a command and returns its exit status, standard output and standard error
/// (through `ChildProcess`: files, not pipes, and `waitpid`).
@discardableResult
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
    let result = try ChildProcess.run(executable, arguments)
    return (result.status, result.output, result.errors)
}

/// The built `vmctl` binary, beside the test bundle.
func vmctlBinary() -> String {
    let buildDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var executable = buildDirectory.appendingPathComponent("vmctl")
    // The test bundle may sit one level deeper (…/vmctlPackageTests.xctest).
    if !FileManager.default.fileExists(atPath: executable.path) {
        executable = buildDirectory.deletingLastPathComponent().appendingPathComponent("vmctl")
    }
    return executable.path
}

/// Runs `vmctl` with `arguments`, bounded by `timeout` seconds, on a thread of
/// its own: a real guest takes minutes to be ready, and a test blocking one of
/// Swift's cooperative threads (two on two cores) that long stalls every async test.
func runVMCtl(_ arguments: [String], timeout: Double = 2400) async throws -> (status: Int32, output: String, errors: String) {
    try await runOffThePool(vmctlBinary(), arguments, timeout: timeout)
}

/// `ChildProcess.run` on a thread outside the cooperative pool.
func runOffThePool(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                   timeout: Double) async throws -> (status: Int32, output: String, errors: String) {
    let result = try await Library.offload { try ChildProcess.run(executable, arguments, environment: environment, timeout: timeout) }
    return (result.status, result.output, result.errors)
}
