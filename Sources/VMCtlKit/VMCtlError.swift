import Libvirt

/// Exit codes vmctl documents (Docs/exit-codes.md).
public enum ExitStatus: Int32, Sendable {
    /// Everything worked.
    case success = 0
    /// A step failed (libvirt refused, a guest did not answer, a check failed).
    case failure = 1
    /// Bad usage or input: nothing was changed (EX_USAGE).
    case usage = 64
    /// The libvirt daemon could not be reached (EX_UNAVAILABLE).
    case unavailable = 69
}

/// An error vmctl reports as one line on stderr, with a documented exit status.
public struct VMCtlError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var status: ExitStatus
    /// The libvirt error behind this one, kept with its code.
    public var libvirtError: LibvirtError?

    public init(_ message: String, status: ExitStatus = .failure, libvirtError: LibvirtError? = nil) {
        self.message = message
        self.status = status
        self.libvirtError = libvirtError
    }

    /// Bad input: names the field and the rule.
    public static func invalid(field: String, _ rule: String) -> VMCtlError {
        VMCtlError("\(field): \(rule)", status: .usage)
    }

    /// A libvirt failure during `action`, keeping libvirt's code and message
    /// (the binding's calls throw untyped, and every error they throw is a `LibvirtError`).
    public static func libvirt(_ error: any Error, while action: String) -> VMCtlError {
        VMCtlError("\(action): \(error)", status: .failure, libvirtError: error as? LibvirtError)
    }

    public var description: String { message }
}
