import FoundationEssentials
import TextSupport
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// Starting, stopping and removing domains by name, with errors that name the VM.
public struct VMLifecycle: Sendable {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Looks a domain up by name, then, as virsh does, by UUID; a missing one
    /// is bad input (exit 64) naming it. Every command that takes a VM comes here.
    public func domain(nameOrUUID name: String) throws(VMCtlError) -> Domain {
        do {
            return try lookUp("looking up domain '\(name)'", missing: .noDomain, field: .option("vm"), notFound: "no domain named '\(name)'") {
                try connection.domain(named: name)
            }
        } catch where error.libvirtError?.code == .noDomain && Self.isUUID(name) {
            return try lookUp("looking up domain with UUID '\(name)'", missing: .noDomain,
                              field: .option("vm"), notFound: "no domain named or with UUID '\(name)'") {
                try connection.domain(uuid: name)
            }
        }
    }

    /// Whether `text` is a UUID as libvirt reads one: 32 hex digits, dashes between them allowed.
    static func isUUID(_ text: String) -> Bool {
        let digits = text.filter { $0 != "-" }
        return digits.count == 32 && digits.allSatisfy(\.isHexDigit) && !text.hasPrefix("-") && !text.hasSuffix("-")
    }

    /// Defines a domain from an XML file, validated against libvirt's schema.
    public func define(xmlFile path: String) throws(VMCtlError) -> Domain {
        let xml = try InputFile.readText(path, field: .option("file"))
        return try define(xml: xml, field: "file", shown: "'\(InputFile.shown(path))'", action: "defining a domain from '\(path)'")
    }

    /// Defines a domain from XML as written (`vm define`, `vm edit`), validated
    /// against libvirt's schema; a document libvirt cannot read is bad input naming `field`.
    /// The corresponding C function is `virDomainDefineXMLFlags` (`VIR_DOMAIN_DEFINE_VALIDATE`).
    func define(xml: String, field: String, shown: String, action: String) throws(VMCtlError) -> Domain {
        // vmctl's name rule holds for what vmctl defines; libvirt's reader takes any name.
        if let name = (try? XMLReader.parse(xml))?.childText("name"), !ObjectName.isValid(name) {
            throw .invalid(field: "name", "\"\(name.prefix(64))\" in \(shown) is not allowed: \(ObjectName.rule)")
        }
        do {
            return try connection.defineDomain(xml: xml, validate: true)
        } catch let error as LibvirtError where [.xmlError, .xmlDetail, .xmlInvalidSchema].contains(error.code) {
            // A document libvirt cannot read is bad input: its message on one line.
            let text = error.message.split(separator: "\n").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            throw VMCtlError("\(field): \(shown) is not a domain libvirt accepts: \(text.prefix(2).joined(separator: " ").prefix(200))",
                             status: .usage, libvirtError: error)
        } catch {
            throw .libvirt(error, while: action)
        }
    }

    /// Starts a defined domain; starting a running one is an error libvirt names.
    /// Returns the domain's name (the argument may be its UUID).
    @discardableResult
    public func start(_ name: String) throws(VMCtlError) -> String {
        let domain = try domain(nameOrUUID: name)
        do { try domain.start() } catch { throw .libvirt(error, while: "starting '\(name)'") }
        return domain.name
    }

    /// Asks the guest to shut down and waits up to `timeout` seconds for it to
    /// stop; with `force`, pulls the plug when the guest does not answer.
    /// Returns the domain's name (the argument may be its UUID).
    @discardableResult
    public func stop(_ name: String, timeout: Double, force: Bool) throws(VMCtlError) -> String {
        let domain = try domain(nameOrUUID: name)
        do {
            guard try domain.isActive() else { return domain.name }
            try domain.shutdown()
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if try !domain.isActive() { return domain.name }
                sleepThread(seconds: 0.2)
            }
            guard force else {
                throw VMCtlError(
                    "vm stop: '\(name)' did not shut down within \(Int(timeout)) s; use --force to destroy it")
            }
            try domain.destroy()
            return domain.name
        } catch let error as LibvirtError {
            throw .libvirt(error, while: "stopping '\(name)'")
        } catch let error as VMCtlError {
            throw error
        } catch {
            throw VMCtlError("stopping '\(name)': \(error)")
        }
    }

    /// Stops the domain at once.
    @discardableResult
    public func destroy(_ name: String) throws(VMCtlError) -> String {
        let domain = try domain(nameOrUUID: name)
        do { try domain.destroy() } catch { throw .libvirt(error, while: "destroying '\(name)'") }
        return domain.name
    }

    /// Removes the definition (with managed save, snapshot metadata and a UEFI
    /// guest's NVRAM file, which libvirt keeps for the definition alone); the
    /// domain must be stopped first. Disks are left alone.
    @discardableResult
    public func undefine(_ name: String) throws(VMCtlError) -> String {
        let domain = try domain(nameOrUUID: name)
        do {
            if try domain.isActive() {
                throw VMCtlError("vm undefine: '\(name)' is running; stop it first", status: .usage)
            }
            let definition = try DomainDefinition(xml: try domain.xml([.inactive]))
            try domain.undefine(definition.undefineFlags)
            return domain.name
        } catch let error as LibvirtError {
            throw .libvirt(error, while: "undefining '\(name)'")
        } catch let error as VMCtlError {
            throw error
        } catch {
            throw VMCtlError("undefining '\(name)': \(error)")
        }
    }
}
