import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

extension StorageService {
    /// Test-only: stands in for `virStoragePoolCreate` for every pool this
    /// task applies, whichever command applies it (`pool create`, `lab up`).
    @TaskLocal static var startOverride: (@Sendable (StoragePool) throws -> Void)?

    /// The one way vmctl makes a pool, for `pool create` and `lab up` alike:
    /// defines it, builds it (never over what is there), sets autostart,
    /// starts it. When a step after the define fails, the pool is stopped and
    /// undefined again, a target directory it made goes while empty, and the
    /// error says so. `report`: each step after the define, for a caller that shows them.
    @discardableResult
    func apply(_ definition: StoragePoolDefinition, request: PoolCreateRequest, report: ((String) -> Void)? = nil) throws(VMCtlError) -> StoragePool {
        let name = request.name
        let xml = try parsed { try definition.xml() }
        let targetExisted = request.target.map { FileManager.default.fileExists(atPath: $0) } ?? true
        // virStoragePoolDefineXML
        let pool = try libvirt("defining pool '\(name)'") { try connection.defineStoragePool(xml: xml, validate: true) }
        func removed(_ error: any Error, _ step: String) -> VMCtlError {
            if (try? pool.isActive()) == true { try? pool.destroy() }
            try? pool.undefine()
            // A target directory this command (or libvirt's build) created goes again, and only while empty.
            if !targetExisted, let target = request.target { _ = rmdir(target) }
            return VMCtlError("\(step) pool '\(name)' failed, so its definition was removed: \(error)", libvirtError: error as? LibvirtError)
        }
        // Building formats devices for fs and logical pools: never overwrite what is there.
        // A logical pool over an existing volume group has nothing to build.
        if !(request.kind == .logical && request.sourceDevice == nil) {
            report?("building pool \(name)")
            let flags: StoragePoolBuildFlags = request.kind == .fs || request.kind == .logical ? [.noOverwrite] : []
            do { try pool.build(flags) } catch { throw removed(error, "building") }
        }
        if request.autostart {
            do { try pool.setAutostart(true) } catch { throw removed(error, "setting autostart on") }
        }
        if request.start {
            report?("starting pool \(name)")
            do {
                if let override = Self.startOverride { try override(pool) } else { try startPool(pool) }
            } catch {
                throw removed(error, "starting")
            }
        }
        return pool
    }
}
