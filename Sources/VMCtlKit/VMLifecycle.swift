import Foundation
import Libvirt

/// Starting, stopping and removing domains by name, with errors that name the VM.
public struct VMLifecycle: Sendable {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Looks a domain up; a missing one is bad input (exit 64) naming it.
    public func domain(named name: String) throws(VMCtlError) -> Domain {
        do {
            return try connection.domain(named: name)
        } catch let error as LibvirtError where error.code == .noDomain {
            throw VMCtlError("vm: no domain named '\(name)'", status: .usage, libvirtError: error)
        } catch {
            throw .libvirt(error, while: "looking up domain '\(name)'")
        }
    }

    /// Defines a domain from an XML file, validated against libvirt's schema.
    public func define(xmlFile path: String) throws(VMCtlError) -> Domain {
        let xml: String
        do {
            xml = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .invalid(field: "file", "cannot read '\(path)': \(error.localizedDescription)")
        }
        do {
            return try connection.defineDomain(xml: xml, validate: true)
        } catch {
            throw .libvirt(error, while: "defining a domain from '\(path)'")
        }
    }

    /// Starts a defined domain; starting a running one is an error libvirt names.
    public func start(_ name: String) throws(VMCtlError) {
        let domain = try domain(named: name)
        do { try domain.start() } catch { throw .libvirt(error, while: "starting '\(name)'") }
    }

    /// Asks the guest to shut down and waits up to `timeout` seconds for it to
    /// stop; with `force`, pulls the plug when the guest does not answer.
    public func stop(_ name: String, timeout: Double, force: Bool) throws(VMCtlError) {
        let domain = try domain(named: name)
        do {
            guard try domain.isActive() else { return }
            try domain.shutdown()
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if try !domain.isActive() { return }
                Thread.sleep(forTimeInterval: 0.2)
            }
            guard force else {
                throw VMCtlError(
                    "vm stop: '\(name)' did not shut down within \(Int(timeout)) s; use --force to destroy it")
            }
            try domain.destroy()
        } catch let error as LibvirtError {
            throw .libvirt(error, while: "stopping '\(name)'")
        } catch let error as VMCtlError {
            throw error
        } catch {
            throw VMCtlError("stopping '\(name)': \(error)")
        }
    }

    /// Stops the domain at once.
    public func destroy(_ name: String) throws(VMCtlError) {
        let domain = try domain(named: name)
        do { try domain.destroy() } catch { throw .libvirt(error, while: "destroying '\(name)'") }
    }

    /// Removes the definition (with managed save and snapshot metadata); the
    /// domain must be stopped first. Disks are left alone.
    public func undefine(_ name: String) throws(VMCtlError) {
        let domain = try domain(named: name)
        do {
            if try domain.isActive() {
                throw VMCtlError("vm undefine: '\(name)' is running; stop it first", status: .usage)
            }
            try domain.undefine([.managedSave, .snapshotsMetadata])
        } catch let error as LibvirtError {
            throw .libvirt(error, while: "undefining '\(name)'")
        } catch let error as VMCtlError {
            throw error
        } catch {
            throw VMCtlError("undefining '\(name)': \(error)")
        }
    }
}
