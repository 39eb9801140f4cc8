import Libvirt
import LibvirtXML

/// One row of `vmctl vm list`. Field names are part of the stable JSON output.
public struct VMSummary: Codable, Sendable, Hashable {
    public var name: String
    public var uuid: String
    /// The hypervisor ID while running, else nil.
    public var id: Int32?
    /// As `virsh domstate` prints it: "running", "shut off", "paused", …
    public var state: String
    public var vcpus: Int
    public var memoryBytes: UInt64
    public var persistent: Bool
    public var autostart: Bool
    /// IPv4 and IPv6 addresses from the DHCP lease table (running domains only).
    public var addresses: [String]
    /// From vmctl's metadata, when vmctl created the domain in a lab.
    public var lab: String?
    public var role: String?
}

/// Reads the domains of a connection, sorted by name.
public enum VMInventory {
    /// One `virConnectListAllDomains` call (filtered by state there), then
    /// per-domain info reads for the names the filter keeps.
    public static func list(_ connection: Connection, filter: VMListFilter = VMListFilter()) throws(VMCtlError) -> [VMSummary] {
        do {
            return try connection.domains(filter.state.listFilter).filter { filter.matches(name: $0.name) }.compactMap { domain -> VMSummary? in
                // A domain undefined between the listing and these reads is gone, not an error.
                do { return try summary(of: domain) } catch let error as LibvirtError where error.code == .noDomain { return nil }
            }.filter(filter.matches).sorted { $0.name < $1.name }
        } catch {
            throw .libvirt(error, while: "listing domains")
        }
    }

    /// One domain's row: virDomainGetInfo, its vmctl metadata, lease addresses while it runs.
    static func summary(of domain: Domain) throws -> VMSummary {
        let info = try domain.info()
        // One metadata read per domain: only vmctl's element, not the whole XML.
        let metadata = (try? domain.metadata(namespaceURI: VMMetadata.namespaceURI)).flatMap { try? VMMetadata(getMetadataFragment: $0) }
        let running = info.state == .running || info.state == .paused
        let addresses = running
            ? ((try? domain.interfaceAddresses(source: .lease)) ?? []).flatMap { $0.addresses.map(\.address) } : []
        return VMSummary(
            name: domain.name, uuid: try domain.uuid(), id: domain.id, state: info.state.description,
            vcpus: info.vcpus, memoryBytes: info.maxMemoryKiB * 1024,
            persistent: try domain.isPersistent(), autostart: try domain.autostart(),
            addresses: addresses, lab: metadata?.lab?.rawValue, role: metadata?.role?.rawValue)
    }

    public static func renderText(_ vms: [VMSummary]) -> String {
        renderTable(
            header: ["NAME", "STATE", "VCPUS", "MEMORY", "IP", "LAB", "ROLE"],
            rows: vms.map { vm in
                [vm.name, vm.state, String(vm.vcpus), "\(vm.memoryBytes >> 20) MiB",
                 vm.addresses.first ?? "-", vm.lab ?? "-", vm.role ?? "-"]
            })
    }

    public static func renderJSON(_ vms: [VMSummary]) -> String {
        VMCtlKit.renderJSON(["vms": vms])
    }
}
