import Libvirt

/// How vmctl reaches libvirt: `--connect URI`, else `LIBVIRT_DEFAULT_URI`,
/// else libvirt's own default.
public struct ConnectionTarget: Sendable, Hashable {
    /// The URI given with `--connect`; `nil` leaves the choice to libvirt,
    /// which honours `LIBVIRT_DEFAULT_URI`.
    public var uri: String?
    /// Told what was opened (URI, driver, daemon version), for `--verbose`.
    public var onConnect: (@Sendable (String) -> Void)?

    public init(uri: String?, onConnect: (@Sendable (String) -> Void)? = nil) {
        self.uri = uri
        self.onConnect = onConnect
    }

    public static func == (lhs: ConnectionTarget, rhs: ConnectionTarget) -> Bool { lhs.uri == rhs.uri }
    public func hash(into hasher: inout Hasher) { hasher.combine(uri) }

    /// The URI vmctl means: `--connect`, else `LIBVIRT_DEFAULT_URI`; nil leaves the choice to libvirt.
    /// The one place that decides the default URI.
    public var requestedURI: String? {
        if let uri { return uri }
        if let environment = Environment.value("LIBVIRT_DEFAULT_URI"), !environment.isEmpty { return environment }
        return nil
    }

    /// The URI for work that must name one before connecting (host check, lab plans):
    /// the requested one, else `qemu:///system`.
    public var assumedURI: String { requestedURI ?? "qemu:///system" }

    /// The URI as a person should read it in messages.
    public var displayName: String { requestedURI ?? "libvirt's default URI" }

    /// Opens the connection, read-only for commands that only read.
    /// An unreachable daemon becomes one line naming the URI, exit status 69.
    public func open(readOnly: Bool = false) throws(VMCtlError) -> Connection {
        do {
            let connection = try Connection(uri: uri, readOnly: readOnly)
            if let onConnect {
                let actual = (try? connection.uri()) ?? displayName
                let driver = (try? connection.hypervisorType()) ?? "?"
                let version = (try? connection.libraryVersion().description) ?? "?"
                onConnect("connected to \(actual) (\(driver) driver, libvirt \(version)\(readOnly ? ", read-only" : ""))")
            }
            return connection
        } catch {
            throw VMCtlError(
                "cannot connect to \(displayName): \(error)", status: .unavailable, libvirtError: error as? LibvirtError)
        }
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parts of a libvirt URI vmctl decides by: `DRIVER[+TRANSPORT]://[USER@][HOST][:PORT]/PATH[?QUERY]`.
/// The one parser of URIs: whether a daemon is on this machine, and which driver and path it serves.
public struct LibvirtURI: Sendable, Equatable {
    /// `qemu`, `test`, `lxc`, …
    public var driver: String
    /// `ssh`, `tls`, `tcp`, `unix`, `libssh`, … or nil.
    public var transport: String?
    /// The host, or nil for this machine (none given, or `localhost`).
    public var host: String?
    /// `/system`, `/session`, a test driver's file, …
    public var path: String

    /// Nil when `text` has no `://`.
    public init?(_ text: String) {
        guard let separator = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound].split(separator: "+", maxSplits: 1).map(String.init)
        guard let driver = scheme.first, !driver.isEmpty else { return nil }
        self.driver = driver
        transport = scheme.count > 1 ? scheme[1] : nil
        let rest = text[separator.upperBound...].prefix { $0 != "?" }
        let authority = rest.prefix { $0 != "/" }
        path = String(rest.dropFirst(authority.count))
        var hostPart = authority.split(separator: "@", maxSplits: 1).last.map(String.init) ?? ""
        if hostPart.hasPrefix("[") {
            hostPart = String(hostPart.dropFirst().prefix { $0 != "]" })
        } else if let colon = hostPart.lastIndex(of: ":") {
            hostPart = String(hostPart[..<colon])
        }
        host = hostPart.isEmpty || hostPart == "localhost" ? nil : hostPart
    }

    /// Whether the daemon runs on this machine and shares its files.
    public var isLocal: Bool { host == nil }
}
