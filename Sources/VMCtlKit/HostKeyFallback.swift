import FoundationEssentials
import LibvirtXML
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// The host keys of a VM vmctl did not give keys to (no vmctl seed, a seed
/// with the user's own user-data, a VM made before vmctl made host keys) or
/// whose image's cloud-init ignores `ssh_keys`: read from the guest's serial
/// console, where cloud-init prints them between `-----BEGIN SSH HOST KEY KEYS-----`
/// and `-----END SSH HOST KEY KEYS-----` at the guest's first boot. The console
/// is a channel from the guest itself, not the network, so this learns the
/// key without trusting whoever answers on the address.
public enum ConsoleHostKeys {
    static let begin = "-----BEGIN SSH HOST KEY KEYS-----"
    static let end = "-----END SSH HOST KEY KEYS-----"

    /// The public keys (`TYPE BASE64`) of the last complete block in `log`;
    /// empty when there is none. Each key is found by its type word wherever
    /// it stands: lines may carry a prefix (a syslog tag such as `cloud-init: `,
    /// a time stamp) and `\r`, and cloud-init (22.4) prints each `.pub` file as
    /// it is, so a file without a final newline runs into the next key, or into
    /// the END marker (`…= vmctlssh-ed25519 AAAA… vmctl-----END SSH HOST KEY KEYS-----`).
    public static func parse(_ log: String) -> [String] {
        guard let last = log.ranges(of: begin).last(where: { log[$0.upperBound...].contains(end) }),
              let close = log[last.upperBound...].firstRange(of: end)
        else { return [] }
        let block = log[last.upperBound..<close.lowerBound]
        let pattern = /(ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|ssh-rsa) (AAAA[A-Za-z0-9+\/]+=*)/
        return block.matches(of: pattern).compactMap { match in
            let (_, type, data) = match.output
            guard Data(base64Encoded: String(data)) != nil else { return nil }
            return "\(type) \(data)"
        }
    }
}

/// The known_hosts entry vmctl logs in to a VM with.
public enum KnownHostKeys {
    /// The VM's entry, with keys in it: the ones vmctl made, or else the ones
    /// its serial log shows (recorded then, before the first login). Throws one
    /// line saying why it cannot be checked when there are none.
    public static func require(domain name: String, definition: DomainDefinition?) throws(VMCtlError) -> KnownHost {
        let known = KnownHost.of(domain: name, lab: definition?.metadata?.lab?.rawValue)
        if try !known.keys().isEmpty { return known }
        let log = definition?.serials.lazy.compactMap { serial -> String? in
            if case .file(let path) = serial.source { return path }
            return nil
        }.first
        if let log {
            let keys = ConsoleHostKeys.parse(SerialLog.tail(log, bytes: 4 << 20))
            if !keys.isEmpty {
                try known.record(keys)
                return known
            }
        }
        throw VMCtlError(
            "\(name): vmctl knows no SSH host key for this VM (it did not seed its keys, or the image's cloud-init ignores ssh_keys), "
                + (log.map { "and its serial log \($0) shows none yet" } ?? "and it has no serial log to read them from")
                + "; refusing to trust whoever answers on its address (Docs/labs.md, Host keys)")
    }
}
