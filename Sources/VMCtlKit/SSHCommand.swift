import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The one way vmctl runs OpenSSH's client against a guest: key-only, no
/// prompts, and the guest's host key checked against the one vmctl made for
/// it (``HostKeyPolicy``): `vm ssh`/`vm scp`, `lab ssh`, the readiness probe
/// and `lab inventory`'s `ansible_ssh_common_args` all take their options from here.
public struct SSHCommand: Sendable, Equatable {
    /// How the server's host key is checked.
    public enum HostKeyPolicy: Sendable, Equatable {
        /// Against vmctl's known_hosts entry for the guest (`StrictHostKeyChecking=yes`).
        case known(KnownHost)
        /// Not at all (`StrictHostKeyChecking=no`, `UserKnownHostsFile=/dev/null`): only for
        /// tools that reach a guest by address alone, such as the tests' own helpers.
        /// vmctl's commands never use it.
        case unchecked

        /// ssh's (and scp's) `-o` options for this policy.
        public var options: [String] {
            switch self {
            case .known(let host): host.sshOptions
            case .unchecked: ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]
            }
        }
    }

    /// The rule for a login name, as useradd's default has it.
    public static let userRule = "a user name of a lower-case letter or _, then lower-case letters, digits, _ or -, at most 32"

    /// Whether `name` is a login name by ``userRule``.
    public static func isValidUser(_ name: String) -> Bool {
        name.wholeMatch(of: /[a-z_][a-z0-9_-]{0,31}/) != nil
    }

    public var user: String
    public var host: String
    public var hostKeys: HostKeyPolicy
    public var privateKey: String?
    public var port: Int = 22
    /// Seconds for the TCP connection and the key exchange.
    public var connectTimeout: Int = 10
    public var executable = "/usr/bin/ssh"

    public init(user: String, host: String, hostKeys: HostKeyPolicy, privateKey: String? = nil, port: Int = 22, connectTimeout: Int = 10) {
        self.user = user
        self.host = host
        self.hostKeys = hostKeys
        self.privateKey = privateKey
        self.port = port
        self.connectTimeout = connectTimeout
    }

    /// `ssh`'s arguments for running `remote` (an argument vector, each quoted
    /// for the remote shell) or, with none, an interactive session.
    public func arguments(remote: [String] = [], batch: Bool = true) -> [String] {
        var arguments = hostKeys.options + [
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=\(connectTimeout)", "-p", String(port),
        ]
        if batch { arguments += ["-o", "BatchMode=yes"] }
        if let privateKey { arguments += ["-i", privateKey, "-o", "IdentitiesOnly=yes"] }
        arguments += ["-l", user, host]
        if !remote.isEmpty { arguments += ["--"] + remote.map(Self.shellQuoted) }
        return arguments
    }

    /// scp's options for the same login: the same host-key handling and key,
    /// the port as `-P`, `-B` (batch), and `-r` to copy folders. scp (OpenSSH 9)
    /// sends remote paths over SFTP, so they are not reparsed by a remote shell.
    public func scpOptions(recursive: Bool) -> [String] {
        var options = hostKeys.options + [
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=\(connectTimeout)", "-P", String(port), "-B",
        ]
        if recursive { options.append("-r") }
        if let privateKey { options += ["-i", privateKey, "-o", "IdentitiesOnly=yes"] }
        return options
    }

    /// `word` as one word for a POSIX shell: unchanged when it is plain, else in single quotes.
    public static func shellQuoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_./=:@%+,".unicodeScalars.contains($0))
        }
        return plain ? word : "'" + word.replacing("'", with: "'\\''") + "'"
    }
}
