import Libvirt

/// How vmctl reaches libvirt: `--connect URI`, else `LIBVIRT_DEFAULT_URI`,
/// else libvirt's own default.
public struct ConnectionTarget: Sendable, Hashable {
    /// The URI given with `--connect`; `nil` leaves the choice to libvirt,
    /// which honours `LIBVIRT_DEFAULT_URI`.
    public var uri: String?

    public init(uri: String?) { self.uri = uri }

    /// The URI as a person should read it in messages.
    public var displayName: String {
        if let uri { return uri }
        if let environment = Environment.value("LIBVIRT_DEFAULT_URI"), !environment.isEmpty { return environment }
        return "libvirt's default URI"
    }

    /// Opens the connection, read-only for commands that only read.
    /// An unreachable daemon becomes one line naming the URI, exit status 69.
    public func open(readOnly: Bool = false) throws(VMCtlError) -> Connection {
        do {
            return try Connection(uri: uri, readOnly: readOnly)
        } catch {
            throw VMCtlError(
                "cannot connect to \(displayName): \(error)", status: .unavailable, libvirtError: error)
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
