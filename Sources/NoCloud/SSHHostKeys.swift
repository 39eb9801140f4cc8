import FoundationEssentials
import TextSupport
import YAML

/// One SSH host key pair that the guest's sshd is to use: cloud-init's
/// `ssh_keys` (its `ssh` module writes each half to /etc/ssh/ssh_host_TYPE_key
/// and `.pub`, after `ssh_deletekeys` removed the image's own).
///
/// The private half is a secret: ``description`` withholds it, so a key that
/// ends up in a message, a log or a test failure shows only its type and public half.
public struct SSHHostKey: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The key types vmctl makes: cloud-init's `ssh_keys` names (`ed25519_private`, `ecdsa_public`, …).
    public enum KeyType: String, CaseIterable, Sendable {
        case ed25519, ecdsa

        /// The algorithm name on the public key line.
        public var publicKeyPrefix: String { self == .ed25519 ? "ssh-ed25519" : "ecdsa-sha2-nistp256" }
    }

    public var type: KeyType
    /// The private key, OpenSSH's PEM-like format (`-----BEGIN OPENSSH PRIVATE KEY-----`).
    public var privateKey: String
    /// The public key line: `ssh-ed25519 AAAA… [comment]`.
    public var publicKey: String

    public init(type: KeyType, privateKey: String, publicKey: String) {
        self.type = type
        self.privateKey = privateKey
        self.publicKey = publicKey
    }

    public var description: String { "\(type.rawValue) host key \(publicKey) (private half withheld)" }
    public var debugDescription: String { description }

    /// Why this pair cannot be put in a seed, or nil.
    func rule() -> String? {
        let begin = "-----BEGIN OPENSSH PRIVATE KEY-----", end = "-----END OPENSSH PRIVATE KEY-----"
        let trimmed = privateKey.trimmingWhitespace()
        guard trimmed.hasPrefix(begin), trimmed.hasSuffix(end),
              trimmed.unicodeScalars.allSatisfy({ $0.isASCII && ($0 == "\n" || ($0.value >= 0x20 && $0.value < 0x7F)) })
        else {
            return "the private half must be one OpenSSH private key (\(begin) … \(end))"
        }
        guard Check.isSSHKey(publicKey), publicKey.hasPrefix(type.publicKeyPrefix + " ") else {
            return "the public half must be one \(type.publicKeyPrefix) key line"
        }
        return nil
    }
}

extension SeedConfig {
    /// user-data's `ssh_deletekeys`, `ssh_keys` and `ssh: {emit_keys_to_console: true}`
    /// for ``sshHostKeys`` (nothing without any): the image's own host keys go, these come in.
    /// The private halves are literal blocks, so their lines reach the guest as written.
    func hostKeyUserData() -> [(String, Node)] {
        guard !sshHostKeys.isEmpty else { return [] }
        var keys: [(String, Node)] = []
        for key in sshHostKeys {
            let privateKey = key.privateKey.hasSuffix("\n") ? key.privateKey : key.privateKey + "\n"
            keys.append(("\(key.type.rawValue)_private", Node(privateKey, style: .literal)))
            // With its newline, as ssh-keygen writes it: cloud-init writes the value as is,
            // and a .pub without one runs into the next key where the console prints them.
            keys.append(("\(key.type.rawValue)_public", YAMLTree.string(key.publicKey + "\n")))
        }
        // The keys in the console too (public halves only): an image whose cloud-init
        // ignores ssh_keys then shows the keys it made, for the serial-console
        // fallback; some images turn this off (Debian's test image here does).
        return [("ssh_deletekeys", YAMLTree.bool(true)), ("ssh_keys", YAMLTree.mapping(keys)),
                ("ssh", YAMLTree.mapping([("emit_keys_to_console", YAMLTree.bool(true))]))]
    }

    /// `runcmd` entries for ``sshHostKeys``: cloud-init (22.4, Debian 12's)
    /// writes the public halves from `ssh_keys` with mode 0600, where sshd's
    /// own are 0644; public keys are public, and `ssh-keygen -lf` as the login user works again.
    func hostKeyCommands() -> [Command] {
        guard !sshHostKeys.isEmpty else { return [] }
        return [.argv(["chmod", "0644"] + sshHostKeys.map { "/etc/ssh/ssh_host_\($0.type.rawValue)_key.pub" })]
    }

    /// One rule per bad or repeated key, named `sshHostKeys[i]`.
    func hostKeyValidationErrors() -> [NoCloudError] {
        var errors: [NoCloudError] = []
        var seen = Set<SSHHostKey.KeyType>()
        for (i, key) in sshHostKeys.enumerated() {
            if let rule = key.rule() { errors.append(NoCloudError(field: "sshHostKeys[\(i)]", rule: rule)) }
            if !seen.insert(key.type).inserted {
                errors.append(NoCloudError(field: "sshHostKeys[\(i)]", rule: "a second \(key.type.rawValue) key; give one key per type"))
            }
        }
        return errors
    }
}

extension SeedImage {
    /// Whether user-data is a `#cloud-config` document, the only kind
    /// ``replacingHostKeys(_:)`` can give keys to (a script is the user's own).
    public var takesHostKeys: Bool { userData.hasPrefix("#cloud-config") }

    /// This seed with its `ssh_keys` replaced by `keys` and `ssh_deletekeys: true`:
    /// a clone's own host keys. A seed whose user-data is a script is returned unchanged.
    public func replacingHostKeys(_ keys: [SSHHostKey]) throws -> SeedImage {
        guard takesHostKeys else { return self }
        var probe = SeedConfig(hostname: "probe", instanceID: "probe")
        probe.sshHostKeys = keys
        if let first = probe.hostKeyValidationErrors().first { throw first }
        let user = try Self.mapping(userData, file: "user-data")
        let kept = (user.mapping ?? Node.Mapping([])).filter { !["ssh_keys", "ssh_deletekeys"].contains($0.key.string ?? "") }
        var result = self
        result.userData = "#cloud-config\n" + YAMLTree.emit(YAMLTree.merge(Node(kept.map { ($0.key, $0.value) }),
                                                                           YAMLTree.mapping(probe.hostKeyUserData())))
        return result
    }
}
