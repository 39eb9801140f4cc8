import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// `vm ssh` and `lab ssh`: the guest's address as `vm ip` finds it, and the
/// login vmctl recorded when it made the guest, as one ``SSHCommand``.
public struct GuestSSH: Sendable {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// The SSH command for `domain`: `user` and `privateKey` override what
    /// vmctl recorded; with `wait`, waits that long for an address. A caller
    /// that knows the guest's address better than its own host does gives it
    /// as `address` (a lab node away from its network's home host: only the
    /// home host has its lease, and the agent's first address is loopback's).
    public func command(for domain: Domain, user: String?, privateKey: String?, wait: Double?, address known: String? = nil) throws(VMCtlError) -> SSHCommand {
        if let privateKey { try requireReadableFile(privateKey, field: .option("--identity")) }
        if let user, !SSHCommand.isValidUser(user) {
            throw .invalid(field: "--user", "\"\(user.prefix(40))\" is not allowed: \(SSHCommand.userRule)")
        }
        let finder = VMAddressFinder(connection: connection)
        let address: String
        if let known {
            address = known
        } else if let wait {
            address = try finder.waitForAddress(of: domain, timeout: wait).first { $0.family == "ipv4" }?.address ?? ""
        } else if let found = finder.addresses(of: domain).first(where: { $0.family == "ipv4" }) {
            address = found.address
        } else {
            throw VMCtlError(finder.diagnose(domain, timeout: 0) + "; or pass --wait SECONDS")
        }
        let definition = (try? domain.xml([.inactive])).flatMap { try? DomainDefinition(xml: $0) }
        let login = definition?.metadata?.login
        guard let user = user ?? login?.user else {
            throw .invalid(field: "--user", "vmctl recorded no login for '\(domain.name)'; name the user")
        }
        let known = try KnownHostKeys.require(domain: domain.name, definition: definition)
        try HostKeyCheck.verify(vm: domain.name, address: address, port: 22, known: try known.keys())
        return SSHCommand(user: user, host: address, hostKeys: .known(known), privateKey: privateKey ?? login?.privateKeyPath)
    }
}
