import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// `vm suspend`, `vm resume`, `vm autostart` and `vm rename`: each checks the
/// VM's state before its one libvirt call, so bad input changes nothing.
public struct VMControl: Sendable {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    private func state(_ domain: Domain) throws(VMCtlError) -> DomainState {
        try libvirt("reading the state of '\(domain.name)'") { try domain.state().state }
    }

    /// Pauses a running VM's vCPUs; a paused one is left as it is.
    /// The corresponding C function is `virDomainSuspend`.
    public func suspend(_ nameOrUUID: String) throws(VMCtlError) -> VMChangeResult {
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: nameOrUUID)
        let name = domain.name
        switch try state(domain) {
        case .paused:
            return VMChangeResult(name: name, action: "unchanged")
        case .running, .blocked:
            try libvirt("suspending '\(name)'") { try domain.suspend() }
            return VMChangeResult(name: name, action: "suspended")
        case let other:
            throw .invalid(field: "vm suspend", "'\(name)' is \(other), not running")
        }
    }

    /// Lets a paused VM run again; a running one is left as it is.
    /// The corresponding C function is `virDomainResume`.
    public func resume(_ nameOrUUID: String) throws(VMCtlError) -> VMChangeResult {
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: nameOrUUID)
        let name = domain.name
        switch try state(domain) {
        case .running, .blocked:
            return VMChangeResult(name: name, action: "unchanged")
        case .paused:
            try libvirt("resuming '\(name)'") { try domain.resume() }
            return VMChangeResult(name: name, action: "resumed")
        case let other:
            throw .invalid(field: "vm resume", "'\(name)' is \(other), not paused; start it with vmctl vm start \(name)")
        }
    }

    /// Makes a defined VM start (or not) with the host.
    /// The corresponding C function is `virDomainSetAutostart`.
    public func setAutostart(_ nameOrUUID: String, enabled: Bool) throws(VMCtlError) -> VMChangeResult {
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: nameOrUUID)
        let name = domain.name
        guard try libvirt("reading '\(name)'", { try domain.isPersistent() }) else {
            throw .invalid(field: "vm autostart", "'\(name)' is transient: only a defined VM can start with the host")
        }
        try libvirt("setting autostart on '\(name)'") { try domain.setAutostart(enabled) }
        var result = VMChangeResult(name: name, action: "autostart")
        result.autostart = enabled
        return result
    }

    /// Renames a shut-off VM. Its volumes keep their names (vmctl's metadata
    /// records them by pool and volume, not by the VM's name). A lab's VM is
    /// refused: the lab's plan names it, and `lab up` would make it again.
    /// The corresponding C function is `virDomainRename`.
    public func rename(_ nameOrUUID: String, to newName: String) throws(VMCtlError) -> VMChangeResult {
        let new = try parsed { try ObjectName(newName, field: "new name") }
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: nameOrUUID)
        let name = domain.name
        guard new.rawValue != name else { throw .invalid(field: "new name", "'\(name)' is already the VM's name") }
        let lock = try VMLifecycle(connection: connection).lock(domain, progress: SilentProgress())
        defer { withExtendedLifetime(lock) {} }
        let (active, persistent, snapshots) = try libvirt("reading '\(name)'") {
            (try domain.isActive(), try domain.isPersistent(), try domain.snapshots().count)
        }
        guard !active else { throw .invalid(field: "vm rename", "'\(name)' is running; stop it first (vmctl vm stop \(name))") }
        guard persistent else { throw .invalid(field: "vm rename", "'\(name)' is transient") }
        // libvirt renames no snapshot metadata, so it refuses; say so before trying.
        guard snapshots == 0 else {
            throw .invalid(field: "vm rename", "'\(name)' has \(snapshots) snapshot(s); libvirt renames only a VM without snapshots")
        }
        let metadata = (try? domain.metadata(namespaceURI: VMMetadata.namespaceURI, impact: .config))
            .flatMap { try? VMMetadata(getMetadataFragment: $0) }
        if let lab = metadata?.lab {
            throw .invalid(field: "vm rename", "'\(name)' belongs to lab '\(lab)', whose plan names it; rename the node in the plan instead")
        }
        if try find("looking up domain '\(new)'", missing: .noDomain, { try connection.domain(named: new.rawValue) }) != nil {
            throw .invalid(field: "new name", "a domain named '\(new)' already exists")
        }
        try libvirt("renaming '\(name)' to '\(new)'") { try domain.rename(to: new.rawValue) }
        var result = VMChangeResult(name: new.rawValue, action: "renamed")
        result.previousName = name
        return result
    }
}
