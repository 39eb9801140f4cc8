import Libvirt

/// What `vmctl version` prints. Field names are part of the stable JSON output.
public struct VersionReport: Codable, Sendable {
    public var vmctl: String
    /// libvirt loaded in this process.
    public var library: String
    /// The connection's URI, driver, daemon-side libvirt and hypervisor versions.
    public var uri: String?
    public var driver: String?
    public var daemon: String?
    public var hypervisor: String?

    public static let vmctlVersion = "0.1.0"

    /// Reads the versions; with `connect`, also from the daemon (read-only).
    public static func gather(target: ConnectionTarget, connect: Bool) throws(VMCtlError) -> VersionReport {
        var report = VersionReport(vmctl: vmctlVersion, library: "")
        do {
            report.library = try Library.version().description
        } catch {
            throw .libvirt(error, while: "reading libvirt's version")
        }
        guard connect else { return report }
        let connection = try target.open(readOnly: true)
        do {
            report.uri = try connection.uri()
            report.driver = try connection.hypervisorType()
            report.daemon = try connection.libraryVersion().description
            report.hypervisor = try connection.hypervisorVersion().description
        } catch {
            throw .libvirt(error, while: "reading versions from \(target.displayName)")
        }
        return report
    }

    public var text: String {
        var lines = ["vmctl \(vmctl)", "libvirt library \(library)"]
        if let uri { lines.append("connected to \(uri)") }
        if let driver, let daemon { lines.append("daemon libvirt \(daemon), driver \(driver)") }
        if let hypervisor { lines.append("hypervisor \(hypervisor)") }
        return lines.joined(separator: "\n")
    }
}
