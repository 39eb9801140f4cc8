import FoundationEssentials
import HostCheck
import LibvirtXML
import NoCloud
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

// Known host keys (Docs/labs.md, "Host keys"): vmctl makes each guest's SSH
// host keys when it plans the guest's seed, gives the private halves to the
// guest through cloud-init's `ssh_keys`, and keeps the public halves in a
// known_hosts file of its own. Every ssh vmctl runs checks the guest against
// that file (`StrictHostKeyChecking=yes`), so a login never trusts whoever
// happens to answer on the guest's address.

/// Makes a guest's host key pairs with OpenSSH's ssh-keygen (through the one
/// process runner), in a private folder that is removed before it returns.
public enum HostKeyMaker {
    /// The types every seeded guest gets: ed25519, and ECDSA (P-256) for older clients.
    public static let types: [SSHHostKey.KeyType] = [.ed25519, .ecdsa]
    public static let executable = "/usr/bin/ssh-keygen"

    /// One new key pair of each of ``types``, made in a private folder under
    /// `scratch` that is removed again. Errors carry ssh-keygen's own message, never a key.
    public static func make(comment: String = "vmctl", scratch: String = FileManager.default.temporaryDirectory.path) throws(VMCtlError) -> [SSHHostKey] {
        var template = Array((scratch + "/vmctl-hostkeys-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw VMCtlError("making host keys: cannot create a private folder: \(String(cString: strerror(errno)))")
        }
        let folder = String(cString: made)  // mkdtemp makes it 0700
        defer {
            for type in types { unlink("\(folder)/\(type.rawValue)"); unlink("\(folder)/\(type.rawValue).pub") }
            rmdir(folder)
        }
        var keys: [SSHHostKey] = []
        for type in types {
            let file = "\(folder)/\(type.rawValue)"
            let size = type == .ecdsa ? ["-b", "256"] : []
            let run: ChildProcess.Result
            do {
                run = try ChildProcess.run(executable, ["-q", "-t", type.rawValue] + size + ["-N", "", "-C", comment, "-f", file],
                                           timeout: 60)
            } catch {
                throw VMCtlError("making host keys: \(error) (install openssh-client)")
            }
            guard run.status == 0,
                  let privateKey = ReadableFile(path: file).map({ String(decoding: $0.readToEnd(), as: UTF8.self) }),
                  let publicKey = ReadableFile(path: file + ".pub").map({ String(decoding: $0.readToEnd(), as: UTF8.self).trimmingWhitespace() })
            else {
                let reason = run.errors.trimmingWhitespace().split(separator: "\n").last.map(String.init) ?? "exit status \(run.status)"
                throw VMCtlError("making host keys: ssh-keygen -t \(type.rawValue) failed: \(reason.prefix(200))")
            }
            keys.append(SSHHostKey(type: type, privateKey: privateKey, publicKey: publicKey))
        }
        return keys
    }
}

/// Where a guest's host keys are looked up: vmctl's known_hosts file for it
/// (its lab's, or the one for single VMs) and the name its entries are under.
///
/// Entries are keyed by a host alias, the domain's name (ssh's `HostKeyAlias`),
/// not by address: a DHCP address may later go to another guest, and a
/// guest's address may change, but its name is its own on its host.
public struct KnownHost: Sendable, Equatable {
    /// The known_hosts file.
    public var file: String
    /// The alias the guest's entries are under: its domain name.
    public var alias: String

    public init(file: String, alias: String) {
        self.file = file
        self.alias = alias
    }

    /// The file for single VMs: `/var/lib/vmctl/known_hosts`, or `$VMCTL_KNOWN_HOSTS`.
    public static var singleVMFile: String {
        ProcessInfo.processInfo.environment["VMCTL_KNOWN_HOSTS"] ?? "/var/lib/vmctl/known_hosts"
    }

    /// A lab's file: `/var/lib/vmctl/labs/LAB/known_hosts` (beside its state.json).
    public static func labFile(_ lab: String) -> String {
        URL(fileURLWithPath: LabState.directory).appendingPathComponent(lab).appendingPathComponent("known_hosts").path
    }

    /// The entry of domain `name`: in its lab's file when vmctl's metadata names a lab.
    public static func of(domain name: String, lab: String?) -> KnownHost {
        KnownHost(file: lab.map(labFile) ?? singleVMFile, alias: name)
    }

    /// ssh's options for checking the guest against this entry, and nothing else.
    public var sshOptions: [String] {
        ["-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(file)", "-o", "HostKeyAlias=\(alias)"]
    }

    /// The public keys recorded for ``alias`` (`TYPE BASE64` each); empty when none.
    public func keys() throws(VMCtlError) -> [String] {
        KnownHostsText.keys(for: alias, in: try KnownHostsText.read(file) ?? "")
    }

    /// Records `publicKeys` (public key lines) as ``alias``'s only entries.
    public func record(_ publicKeys: [String]) throws(VMCtlError) {
        try KnownHostsText.update(file) { KnownHostsText.replacing(alias: alias, with: publicKeys, in: $0) }
    }

    /// Removes ``alias``'s entries; the file goes when nothing is left in it.
    public func remove() throws(VMCtlError) {
        guard try KnownHostsText.read(file) != nil else { return }
        try KnownHostsText.update(file) { KnownHostsText.replacing(alias: alias, with: [], in: $0) }
    }
}

/// The known_hosts text: parsing and editing as pure functions, reading and
/// writing through ``OwnedFiles`` (never through a symbolic link, mode 0600).
public enum KnownHostsText {
    /// One `HOSTS TYPE BASE64 [COMMENT]` line's hosts and key (`TYPE BASE64`);
    /// nil for blank lines, comments and marked (`@cert-authority`, `@revoked`) lines.
    public static func entry(_ line: Substring) -> (hosts: [Substring], key: String)? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 3, !fields[0].hasPrefix("#"), !fields[0].hasPrefix("@") else { return nil }
        return (fields[0].split(separator: ","), "\(fields[1]) \(fields[2])")
    }

    /// The keys of `alias` in `text`.
    public static func keys(for alias: String, in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            guard let entry = entry(line), entry.hosts.contains(where: { $0 == alias }) else { return nil }
            return entry.key
        }
    }

    /// `text` without `alias`'s lines, then one line per key of `publicKeys`
    /// (their `TYPE BASE64`; a comment is dropped).
    public static func replacing(alias: String, with publicKeys: [String], in text: String) -> String {
        var lines = text.split(separator: "\n").filter { line in
            guard let entry = entry(line) else { return !line.trimmingWhitespace().isEmpty }
            return !entry.hosts.contains { $0 == alias }
        }.map(String.init)
        for key in publicKeys {
            let fields = key.split(separator: " ")
            guard fields.count >= 2 else { continue }
            lines.append("\(alias) \(fields[0]) \(fields[1])")
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// The file's text; nil when it does not exist. A symbolic link or
    /// anything but a regular file is refused.
    static func read(_ path: String) throws(VMCtlError) -> String? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            let reason = errno == ELOOP ? "is a symbolic link; vmctl does not follow it" : String(cString: strerror(errno))
            throw VMCtlError("reading \(path): \(reason)")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw VMCtlError("reading \(path): \(InputFile.kind(info.st_mode)), not a regular file")
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { break }
            bytes += buffer[0..<got]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Read, change and replace the file under an exclusive lock on its
    /// folder (`flock(2)`), so that guests made at once do not lose each
    /// other's entries. An empty result removes the file.
    static func update(_ path: String, _ change: (String) -> String) throws(VMCtlError) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try OwnedFiles.makeDirectory(folder)
        let lock = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard lock >= 0 else { throw VMCtlError("locking \(folder): \(String(cString: strerror(errno)))") }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw VMCtlError("locking \(folder): \(String(cString: strerror(errno)))") }
        }
        let old = try read(path)
        let new = change(old ?? "")
        guard new != old else { return }
        if new.isEmpty {
            guard unlink(path) == 0 || errno == ENOENT else {
                throw VMCtlError("removing \(path): \(String(cString: strerror(errno)))")
            }
            return
        }
        try OwnedFiles.replace(path, with: Array(new.utf8), mode: 0o600)
    }
}

/// OpenSSH's `SHA256:…` fingerprint of a public key.
public enum HostKeyFingerprint {
    /// `SHA256:` and the unpadded base64 of the SHA-256 of the key blob, as
    /// `ssh-keygen -l` prints it; nil when `publicKey` (`TYPE BASE64 …`) is not one.
    public static func of(_ publicKey: String) -> String? {
        let fields = publicKey.split(separator: " ")
        guard fields.count >= 2, let blob = Data(base64Encoded: String(fields[1])), !blob.isEmpty else { return nil }
        let digest = SHA256.hash(Array(blob))
        return "SHA256:" + Data(digest).base64EncodedString().trimming(["="])
    }

    /// `ED25519` or `ECDSA` for the key line's type, as ssh names it in messages.
    public static func typeName(_ publicKey: String) -> String {
        let type = publicKey.split(separator: " ").first.map(String.init) ?? ""
        if type == "ssh-ed25519" { return "ED25519" }
        if type.hasPrefix("ecdsa-") { return "ECDSA" }
        if type == "ssh-rsa" { return "RSA" }
        return type.uppercased()
    }
}

/// SHA-256 (FIPS 180-4) for fingerprints of public keys: a few hundred bytes,
/// no dependency. Not for secrets or speed.
enum SHA256 {
    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var data = message
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        let bits = UInt64(message.count) * 8
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                w[i] = data[chunk + 4 * i..<chunk + 4 * i + 4].reduce(0) { $0 << 8 | UInt32($1) }
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            h = [h[0] &+ a, h[1] &+ b, h[2] &+ c, h[3] &+ d, h[4] &+ e, h[5] &+ f, h[6] &+ g, h[7] &+ hh]
        }
        return h.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> UInt32(24 - 8 * $0)) } }
    }
}

/// Is the guest answering on an address the one vmctl made? Asks the server
/// for its keys (ssh-keyscan, restricted to that address and the key types
/// vmctl makes) and compares them with the known ones, so a refusal names both
/// fingerprints on one line before ssh's own screen of warnings could.
public enum HostKeyCheck {
    public static let executable = "/usr/bin/ssh-keyscan"

    /// Throws the one-line refusal when the guest presents keys of the known
    /// types and none is a known one. An unreachable guest passes here: ssh
    /// then says why it cannot connect (and still checks the key itself).
    public static func verify(vm: String, address: String, port: Int, known: [String], timeout: Int = 10) throws(VMCtlError) {
        guard !known.isEmpty else { return }
        let types = Set(known.compactMap { $0.split(separator: " ").first.map(String.init) })
        let names = types.map { $0 == "ssh-ed25519" ? "ed25519" : $0.hasPrefix("ecdsa-") ? "ecdsa" : $0 == "ssh-rsa" ? "rsa" : $0 }
        guard let run = try? ChildProcess.run(
            executable, ["-T", String(timeout), "-p", String(port), "-t", Set(names).sorted().joined(separator: ","), address],
            timeout: Double(timeout + 5))
        else { return }
        if let refusal = mismatch(vm: vm, address: address, known: known, presented: scanned(run.output)) {
            throw VMCtlError(refusal)
        }
    }

    /// The `TYPE BASE64` keys in ssh-keyscan's output (`HOST TYPE BASE64` lines).
    public static func scanned(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            KnownHostsText.entry(line).map(\.key)
        }
    }

    /// The refusal when the presented keys share a type with the known ones
    /// and none is known; nil when one matches or nothing comparable came.
    public static func mismatch(vm: String, address: String, known: [String], presented: [String]) -> String? {
        func key(_ line: String) -> String { line.split(separator: " ").prefix(2).joined(separator: " ") }
        let knownKeys = known.map(key)
        let knownTypes = Set(knownKeys.compactMap { $0.split(separator: " ").first })
        let comparable = presented.map(key).filter { knownTypes.contains($0.split(separator: " ").first ?? "") }
        guard !comparable.isEmpty, !comparable.contains(where: knownKeys.contains) else { return nil }
        // ssh-keyscan answers in any order: the line names the type ssh itself prefers, ed25519 first.
        func rank(_ key: String) -> Int {
            key.hasPrefix("ssh-ed25519 ") ? 0 : key.hasPrefix("ecdsa-") ? 1 : key.hasPrefix("ssh-rsa ") ? 2 : 3
        }
        let shown = comparable.min { rank($0) < rank($1) } ?? comparable[0]
        let expected = knownKeys.first { $0.split(separator: " ").first == shown.split(separator: " ").first } ?? knownKeys[0]
        return refusal(vm: vm, address: address, expected: expected, presented: shown)
    }

    /// The one line: the VM, the key vmctl made for it and the key that was presented.
    static func refusal(vm: String, address: String, expected: String, presented: String) -> String {
        "\(vm): host key mismatch at \(address): expected \(HostKeyFingerprint.typeName(expected)) \(HostKeyFingerprint.of(expected) ?? "?"), "
            + "presented \(HostKeyFingerprint.typeName(presented)) \(HostKeyFingerprint.of(presented) ?? "?"); "
            + "refusing to connect (another guest answers there, or this guest's host key was replaced)"
    }

    /// The same line from ssh's own failure text, when it refused a changed key
    /// (`…The fingerprint for the ED25519 key sent by the remote host is\nSHA256:….`);
    /// nil when ssh failed for another reason.
    public static func refusal(vm: String, address: String, known: [String], sshErrors: String) -> String? {
        guard sshErrors.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") || sshErrors.contains("Host key verification failed") else { return nil }
        let lines = sshErrors.split(separator: "\n").map { $0.trimmingWhitespace() }
        guard let index = lines.firstIndex(where: { $0.hasPrefix("The fingerprint for the ") && $0.hasSuffix("sent by the remote host is") }),
              index + 1 < lines.count
        else {
            return "\(vm): host key verification failed at \(address): \(lines.last ?? "")"
        }
        let type = lines[index].dropFirst("The fingerprint for the ".count).split(separator: " ").first.map(String.init) ?? "?"
        let presented = lines[index + 1].trimming(["."])
        let expected = known.first { HostKeyFingerprint.typeName($0) == type } ?? known.first
        return "\(vm): host key mismatch at \(address): expected \(expected.map { "\(HostKeyFingerprint.typeName($0)) \(HostKeyFingerprint.of($0) ?? "?")" } ?? "no key"), "
            + "presented \(type) \(presented); refusing to connect (another guest answers there, or this guest's host key was replaced)"
    }
}

extension KnownHost {
    /// Records `publicKeys` for `domain` (its lab's file or the single-VM
    /// one) as a step of a command: undone when the command rolls back.
    static func record(_ publicKeys: [String], for domain: DomainDefinition, rollback: Rollback,
                       progress: any ProgressReporter) throws(VMCtlError) {
        guard !publicKeys.isEmpty else { return }
        let known = KnownHost.of(domain: domain.name.rawValue, lab: domain.metadata?.lab?.rawValue)
        progress.step("recording \(domain.name)'s host keys in \(known.file)")
        try known.record(publicKeys)
        rollback.onFailure("remove \(domain.name)'s host keys from \(known.file)") { try known.remove() }
    }
}

extension SeedVolume {
    /// A seed holds the guest's private host keys: root's alone.
    static let permissions = Permissions(mode: "0600", owner: 0, group: 0)

    /// Writes `contents` over the volume file at `path`, never through a
    /// symbolic link, and makes it root's with mode 0600 before the first byte.
    static func writeRootOnly(_ contents: Data, to path: String) throws(VMCtlError) {
        let descriptor = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw VMCtlError("opening \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fchown(descriptor, 0, 0) == 0, fchmod(descriptor, 0o600) == 0 else {
            throw VMCtlError("making \(path) root's alone: \(String(cString: strerror(errno)))")
        }
        var rest = Array(contents)[...]
        while !rest.isEmpty {
            let written = rest.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw VMCtlError("writing \(path): \(String(cString: strerror(errno)))") }
            rest = rest.dropFirst(written)
        }
    }
}
