import Libvirt

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
}

/// Reads the domains of a connection, sorted by name.
public enum VMInventory {
    /// One `virConnectListAllDomains` call, then per-domain info reads.
    public static func list(_ connection: Connection) throws(VMCtlError) -> [VMSummary] {
        do {
            return try connection.domains().map { domain throws(LibvirtError) in
                let info = try domain.info()
                return VMSummary(
                    name: domain.name, uuid: try domain.uuid(), id: domain.id, state: info.state.description,
                    vcpus: info.vcpus, memoryBytes: info.maxMemoryKiB * 1024,
                    persistent: try domain.isPersistent(), autostart: try domain.autostart())
            }.sorted { $0.name < $1.name }
        } catch {
            throw .libvirt(error, while: "listing domains")
        }
    }

    public static func renderText(_ vms: [VMSummary]) -> String {
        renderTable(
            header: ["NAME", "STATE", "VCPUS", "MEMORY", "AUTOSTART"],
            rows: vms.map { vm in
                [vm.name, vm.state, String(vm.vcpus), "\(vm.memoryBytes >> 20) MiB", vm.autostart ? "yes" : "no"]
            })
    }

    public static func renderJSON(_ vms: [VMSummary]) -> String {
        VMCtlKit.renderJSON(["vms": vms])
    }
}
