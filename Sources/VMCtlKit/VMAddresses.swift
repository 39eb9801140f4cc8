import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// One address of a guest and where it was learned.
public struct VMAddress: Codable, Sendable, Hashable {
    public var interface: String
    public var mac: String?
    public var address: String
    public var prefix: Int
    public var family: String
    /// `lease`, `agent` or `arp`.
    public var source: String
}

/// Finds a guest's addresses from the DHCP lease table, the guest agent and
/// the ARP table, and explains plainly when none comes.
public struct VMAddressFinder: Sendable {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// The addresses known now: leases first, then the agent, then ARP.
    public func addresses(of domain: Domain, sources: [InterfaceAddressSource] = [.lease, .agent, .arp]) -> [VMAddress] {
        for source in sources {
            let interfaces = (try? domain.interfaceAddresses(source: source)) ?? []
            let found = interfaces.flatMap { interface in
                interface.addresses.map {
                    VMAddress(interface: interface.name, mac: interface.mac, address: $0.address, prefix: $0.prefix,
                              family: $0.family.rawValue, source: source.description)
                }
            }
            if !found.isEmpty { return found }
        }
        return []
    }

    /// Polls until an IPv4 address appears or `timeout` seconds pass; then
    /// throws a diagnosis naming the network, MAC and lease table.
    public func waitForAddress(
        of domain: Domain, timeout: Double, progress: any ProgressReporter = SilentProgress()
    ) throws(VMCtlError) -> [VMAddress] {
        guard timeout.isFinite, (0...Self.longestWait).contains(timeout) else {
            throw .invalid(field: "--wait", "\(timeout) is not allowed: 0 to \(Int(Self.longestWait)) seconds")
        }
        // A guest that is not running gets no address however long one waits.
        if let state = try? domain.state(), state.state != .running, state.state != .paused {
            throw VMCtlError(diagnose(domain, timeout: 0))
        }
        progress.step("waiting up to \(Int(timeout)) s for an address of \(domain.name)")
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            let found = addresses(of: domain).filter { $0.family == "ipv4" }
            if !found.isEmpty { return found }
            sleepThread(seconds: 0.5)
        } while Date() < deadline
        throw VMCtlError(diagnose(domain, timeout: timeout))
    }

    /// The longest any address wait may be: an hour.
    public static let longestWait: Double = 3600

    /// Why no address came: the guest's state, and per NIC its network, MAC
    /// and what that network's lease table holds.
    public func diagnose(_ domain: Domain, timeout: Double) -> String {
        var parts = ["vm ip: no address for '\(domain.name)' within \(Int(timeout)) s"]
        let state = (try? domain.state())
        if let state, state.state != .running {
            parts.append("the guest is \(state.state) (\(state.reasonDescription)); start it with vmctl vm start \(domain.name)")
            return parts.joined(separator: "; ")
        }
        let definition = (try? domain.xml()).flatMap { try? DomainDefinition(xml: $0) }
        let interfaces = definition?.interfaces ?? []
        if interfaces.isEmpty {
            parts.append("it has no network interface")
        }
        for interface in interfaces {
            let mac = interface.mac?.description ?? "no MAC"
            switch interface.source {
            case .network(let name):
                let network: Network
                do {
                    network = try connection.network(named: name)
                } catch let error as LibvirtError where error.code == .noNetwork {
                    parts.append("NIC \(mac) is on network '\(name)', which does not exist")
                    continue
                } catch {
                    parts.append("NIC \(mac) is on network '\(name)', which could not be read (\(error))")
                    continue
                }
                if (try? network.isActive()) != true {
                    parts.append("NIC \(mac) is on network '\(name)', which is not active")
                    continue
                }
                let leases = (try? network.dhcpLeases()) ?? []
                let hasDHCP = (try? network.xml()).map { $0.contains("<dhcp") } ?? false
                if !hasDHCP {
                    parts.append("NIC \(mac) is on network '\(name)', which has no DHCP: give the guest a static address")
                } else {
                    parts.append("NIC \(mac) is on network '\(name)': its lease table holds \(leases.count) lease(s), none for this MAC; is the guest's DHCP client running?")
                }
            case .bridge(let bridge):
                parts.append("NIC \(mac) is on host bridge \(bridge): libvirt sees no lease there; install qemu-guest-agent in the guest or check your DHCP server (ARP had nothing either)")
            case .direct(let device, _):
                parts.append("NIC \(mac) is macvtap on \(device): the host cannot see this guest's traffic; use the guest agent")
            case .user, .unmodeled:
                parts.append("NIC \(mac) uses user-mode networking: the host cannot see its address")
            }
        }
        return parts.joined(separator: "; ")
    }
}
