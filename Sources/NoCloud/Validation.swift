import FoundationEssentials
import TextSupport
import YAML

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension SeedConfig {
    /// Throws the first of ``validationErrors()``, if any.
    public func validate() throws {
        if let first = validationErrors().first { throw first }
    }

    /// Every rule this configuration breaks, in property order, each as
    /// `field: rule` (e.g. `hostname: must be an RFC 1123 host name …`).
    public func validationErrors() -> [NoCloudError] {
        var errors = [NoCloudError]()
        func fail(_ field: String, _ rule: String) { errors.append(NoCloudError(field: field, rule: rule)) }

        if !Check.isHostName(hostname) {
            fail("hostname", "must be an RFC 1123 host name: labels of 1-63 letters, digits and -, not starting or ending with -, joined by dots, at most 253 characters")
        }
        if let fqdn, !(Check.isHostName(fqdn) && fqdn.contains(".")) {
            fail("fqdn", "must be an RFC 1123 host name of at least two labels, such as web1.lab.example")
        }
        if instanceID.isEmpty || instanceID.unicodeScalars.count > 128
            || !instanceID.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) {
            fail("instanceID", "must be 1-128 printable ASCII characters without spaces")
        }
        for (i, key) in sshAuthorizedKeys.enumerated() where !Check.isSSHKey(key) {
            fail("sshAuthorizedKeys[\(i)]", Check.sshKeyRule)
        }
        errors += hostKeyValidationErrors()
        for (i, user) in users.enumerated() {
            let f = "users[\(i)]"
            if !Check.isUserName(user.name) {
                fail("\(f).name", "must be a user name: a lower-case letter or _, then lower-case letters, digits, _ or -, at most 32")
            }
            if user.name == "default" { fail("\(f).name", "must not be default (the distribution's user is always kept)") }
            for (k, key) in user.sshAuthorizedKeys.enumerated() where !Check.isSSHKey(key) {
                fail("\(f).sshAuthorizedKeys[\(k)]", Check.sshKeyRule)
            }
            if let password = user.password, let rule = Check.passwordRule(password, defaultUser: false) { fail("\(f).password", rule) }
            if let sudo = user.sudo, sudo.isEmpty || Check.hasLineBreak(sudo) {
                fail("\(f).sudo", "must be one non-empty sudoers rule, such as ALL=(ALL) NOPASSWD:ALL")
            }
            for (g, group) in user.groups.enumerated() where !Check.isUserName(group) {
                fail("\(f).groups[\(g)]", "must be a group name: a lower-case letter or _, then lower-case letters, digits, _ or -")
            }
            if let shell = user.shell, !shell.hasPrefix("/") || shell.contains(where: { $0.isWhitespace }) {
                fail("\(f).shell", "must be an absolute path without spaces, such as /bin/bash")
            }
        }
        if let password, let rule = Check.passwordRule(password, defaultUser: true) { fail("password", rule) }
        for (i, server) in ntpServers.enumerated()
        where !(Check.isHostName(server) || Check.isIPv4(server) || Check.isIPv6(server)) {
            fail("ntpServers[\(i)]", "must be a host name or an IPv4 or IPv6 address")
        }
        if let timezone, !Check.isTimezone(timezone) {
            fail("timezone", "must be UTC or an IANA name like Area/City, such as Europe/Berlin")
        }
        for (i, package) in packages.enumerated() where package.trimmingWhitespace().isEmpty {
            fail("packages[\(i)]", "must not be empty")
        }
        for (i, command) in runcmd.enumerated() {
            if let rule = Check.commandRule(command) { fail("runcmd[\(i)]", rule) }
        }
        errors += hostsAndSwapErrors()
        if let extraUserData {
            do {
                _ = try Self.extraMapping(extraUserData)
            } catch let error as NoCloudError {
                errors.append(error)
            } catch {
                fail("extraUserData", "is not valid YAML")
            }
        }
        if let userDataFile {
            if !(userDataFile.hasPrefix("#cloud-config") || userDataFile.hasPrefix("#!")) {
                fail("userDataFile", "must start with #cloud-config or #! (a script)")
            } else if userDataFile.hasPrefix("#cloud-config") {
                // cloud-init drops a #cloud-config it cannot parse, and the guest comes up unconfigured.
                do {
                    if let node = try YAML.compose(userDataFile), node.mapping == nil {
                        fail("userDataFile", "must be a YAML mapping (key: value lines) after #cloud-config")
                    }
                } catch {
                    fail("userDataFile", "is not valid YAML after #cloud-config (\(Check.firstLine("\(error)")))")
                }
            }
            let others = [
                ("fqdn", fqdn != nil), ("sshAuthorizedKeys", !sshAuthorizedKeys.isEmpty), ("users", !users.isEmpty),
                ("password", password != nil), ("ntpServers", !ntpServers.isEmpty), ("timezone", timezone != nil),
                ("selinux", selinux != nil), ("packages", !packages.isEmpty), ("runcmd", !runcmd.isEmpty),
                ("bootcmd", !bootcmd.isEmpty), ("extraUserData", extraUserData != nil), ("sshHostKeys", !sshHostKeys.isEmpty),
            ].filter(\.1).map(\.0)
            if !others.isEmpty {
                fail("userDataFile", "is used verbatim, so it cannot be combined with \(others.joined(separator: ", "))")
            }
        }
        for (i, command) in bootcmd.enumerated() {
            if let rule = Check.commandRule(command) { fail("bootcmd[\(i)]", rule) }
        }
        // staticNetwork is the first of allInterfaces and keeps its own field names.
        for (i, interface) in allInterfaces.enumerated() {
            let isStatic = staticNetwork != nil && i == 0
            let f = isStatic ? "staticNetwork" : "interfaces[\(i - (staticNetwork == nil ? 0 : 1))]"
            if !Check.isMAC(interface.mac) { fail("\(f).mac", "must be six hex pairs separated by colons, such as 52:54:00:12:34:56") }
            if !Check.isInterfaceName(interface.name) {
                fail("\(f).\(isStatic ? "interfaceName" : "name")", "must be 1-15 letters, digits, _, . or -, not starting with a digit, . or -")
            }
            if case .fixed(let address, let prefix, let gateway, let nameservers, let searchDomains) = interface.ipv4 {
                if !Check.isIPv4(address) { fail("\(f).address", "must be an IPv4 address in dotted-quad form") }
                if !(1 ... 32).contains(prefix) { fail("\(f).prefix", "must be 1-32") }
                if let gateway, !Check.isIPv4(gateway) { fail("\(f).gateway", "must be an IPv4 address in dotted-quad form") }
                for (n, ns) in nameservers.enumerated() where !(Check.isIPv4(ns) || Check.isIPv6(ns)) {
                    fail("\(f).nameservers[\(n)]", "must be an IPv4 or IPv6 address")
                }
                for (n, domain) in searchDomains.enumerated() where !Check.isHostName(domain) {
                    fail("\(f).searchDomains[\(n)]", "must be an RFC 1123 domain name")
                }
            }
        }
        let all = allInterfaces
        if Set(all.map { $0.mac.lowercased() }).count != all.count {
            fail("interfaces", "two interfaces have the same MAC address")
        }
        if Set(all.map(\.name)).count != all.count {
            fail("interfaces", "two interfaces have the same name")
        }
        return errors
    }

    /// The user's extra user-data as a mapping node (an empty document is an empty mapping).
    static func extraMapping(_ yaml: String) throws -> Node {
        let node: Node?
        do {
            node = try YAML.compose(yaml)
        } catch {
            throw NoCloudError(field: "extraUserData", rule: "is not valid YAML (\(Check.firstLine("\(error)")))")
        }
        guard let node else { return Node([(Node, Node)]()) }
        guard node.mapping != nil else {
            throw NoCloudError(field: "extraUserData", rule: "must be a YAML mapping (key: value lines)")
        }
        return node
    }
}

/// The checks behind ``SeedConfig/validationErrors()``.
enum Check {
    /// The rule a `runcmd` or `bootcmd` entry breaks, or nil.
    static func commandRule(_ command: SeedConfig.Command) -> String? {
        switch command {
        case .shell(let line) where line.trimmingWhitespace().isEmpty:
            return "must not be empty"
        case .argv(let argv) where argv.first.map({ $0.isEmpty }) ?? true:
            return "must have a non-empty program as its first argument"
        default:
            return nil
        }
    }

    static func isHostName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isLabel)
    }

    static func isLabel<S: StringProtocol>(_ label: S) -> Bool {
        guard (1 ... 63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
        return label.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
        }
    }

    static let sshKeyRule = "must be one OpenSSH public key line: ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521 or sk-… followed by that type's base64 key data and an optional comment"

    static let sshKeyTypes: Set<String> = [
        "ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    static func isSSHKey(_ key: String) -> Bool {
        guard !hasLineBreak(key) else { return false }
        let parts = key.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, sshKeyTypes.contains(String(parts[0])) else { return false }
        let blob = parts[1]
        guard blob.hasPrefix("AAAA"), blob.count >= 16 else { return false }
        let body = blob.drop(while: { $0 != "=" })
        guard body.allSatisfy({ $0 == "=" }), body.count <= 2 else { return false }
        guard blob.prefix(while: { $0 != "=" }).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }) else {
            return false
        }
        return embeddedKeyType(String(blob)) == String(parts[0])
    }

    /// The key type the base64 body names in its first field (a 32-bit
    /// big-endian length, then the name): an `ssh-ed25519` line must carry an
    /// ed25519 key, not an RSA body.
    static func embeddedKeyType(_ blob: String) -> String? {
        let usable = blob.prefix(blob.count - blob.count % 4)
        guard let data = Data(base64Encoded: String(usable)), data.count >= 4 else { return nil }
        let bytes = [UInt8](data)
        let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard length > 0, length <= 64, bytes.count >= 4 + length else { return nil }
        return String(decoding: bytes[4..<(4 + length)], as: UTF8.self)
    }

    /// Rule broken by a password, or nil. `defaultUser` is the top-level `password`,
    /// which cloud-init's set_passwords module reads as a hash only when it matches
    /// `\$(1|2a|2y|5|6)(\$.+){2}` (anything else is set as clear text) and as a
    /// request for a random password when it is `R` or `RANDOM`.
    static func passwordRule(_ password: SeedConfig.Password, defaultUser: Bool) -> String? {
        switch password {
        case .plain(let text):
            if text.isEmpty || hasLineBreak(text) { return "must be a non-empty password on one line" }
            if defaultUser, text == "R" || text == "RANDOM" || looksLikeCloudInitHash(text) {
                return "must not be R, RANDOM or look like a $1$/$2a$/$2y$/$5$/$6$ hash (cloud-init would not set it as given)"
            }
        case .hashed(let hash):
            if defaultUser {
                if !looksLikeCloudInitHash(hash) {
                    return "must be a crypt(3) hash that cloud-init recognises: $1$, $2a$, $2y$, $5$ or $6$ (mkpasswd -m sha-512)"
                }
            } else {
                let ids = ["$1$", "$2a$", "$2b$", "$2y$", "$5$", "$6$", "$y$", "$gy$", "$7$"]
                if !ids.contains(where: hash.hasPrefix) || hash.filter({ $0 == "$" }).count < 3
                    || hash.contains(where: { $0.isWhitespace }) || hash.contains(":") {
                    return "must be a crypt(3) hash such as $6$salt$hash (mkpasswd -m sha-512)"
                }
            }
        }
        return nil
    }

    /// cloud-init's test for a hashed password (`\$(1|2a|2y|5|6)(\$.+){2}`, no `:`), made stricter: no whitespace.
    static func looksLikeCloudInitHash(_ text: String) -> Bool {
        let ids = ["$1$", "$2a$", "$2y$", "$5$", "$6$"]
        guard let id = ids.first(where: text.hasPrefix), !text.contains(":"),
              !text.contains(where: { $0.isWhitespace }) else { return false }
        // After the id: "x$y" with both parts non-empty.
        let rest = text.dropFirst(id.count)
        guard let dollar = rest.firstIndex(of: "$") else { return false }
        return dollar != rest.startIndex && rest.index(after: dollar) != rest.endIndex
    }

    static func isUserName(_ name: String) -> Bool {
        guard (1 ... 32).contains(name.utf8.count), let first = name.utf8.first,
              (first >= 0x61 && first <= 0x7A) || first == 0x5F else { return false }
        return name.utf8.allSatisfy { b in
            (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D
        }
    }

    static func isTimezone(_ tz: String) -> Bool {
        if tz == "UTC" { return true }
        let parts = tz.split(separator: "/", omittingEmptySubsequences: false)
        guard (2 ... 3).contains(parts.count) else { return false }
        return parts.enumerated().allSatisfy { i, part in
            guard let first = part.first, first.isASCII, first.isLetter else { return false }
            return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_+-".contains($0)) }
        }
    }

    static func isInterfaceName(_ name: String) -> Bool {
        guard (1 ... 15).contains(name.utf8.count), let first = name.first, first.isASCII, first.isLetter || first == "_"
        else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    static func isMAC(_ mac: String) -> Bool {
        let parts = mac.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 && parts.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in
            guard (1 ... 3).contains(p.count), p.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(p), v <= 255 else {
                return false
            }
            return p.count == 1 || p.first != "0"
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        guard text.contains(":"), text.utf8.count <= 45 else { return false }
        var storage = in6_addr()
        return text.withCString { inet_pton(AF_INET6, $0, &storage) } == 1
    }

    static func hasLineBreak(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0 == "\n" || $0 == "\r" || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}" }
    }

    static func firstLine(_ s: String) -> String {
        String(s.split(whereSeparator: \.isNewline).first ?? "")
    }
}

extension SeedConfig.Interface {
    /// Whether `name` can be a guest NIC name (``name``): 1-15 letters,
    /// digits, `_`, `.` or `-`, not starting with a digit, `.` or `-`.
    public static func isValidName(_ name: String) -> Bool { Check.isInterfaceName(name) }
}
