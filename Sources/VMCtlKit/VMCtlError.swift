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

    /// For bad input: which input it is about, kept apart from the rule, so the command line
    /// and a lab plan each name it in their own words (`InputField`).
    public var field: InputField?
    /// For bad input with a `field`: the rule it broke, without the field's name.
    public var rule: String?

    /// Bad input: names the field and the rule.
    public static func invalid(field: InputField, _ rule: String, libvirtError: LibvirtError? = nil) -> VMCtlError {
        var error = VMCtlError("\(field): \(rule)", status: .usage, libvirtError: libvirtError)
        error.field = field
        error.rule = rule
        return error
    }

    /// Bad input about a command's own option or operand (one a plan has no counterpart of).
    public static func invalid(field option: String, _ rule: String) -> VMCtlError {
        invalid(field: .option(option), rule)
    }

    /// The same rule, about another input (`--pool`'s rule, found while resolving `--image`).
    public func about(_ field: InputField) -> VMCtlError {
        guard let rule else { return self }
        var error = VMCtlError.invalid(field: field, rule, libvirtError: libvirtError)
        error.status = status
        return error
    }

    /// A libvirt failure during `action`, keeping libvirt's code and message
    /// (the binding's calls throw untyped, and every error they throw is a `LibvirtError`).
    public static func libvirt(_ error: any Error, while action: String) -> VMCtlError {
        VMCtlError("\(action): \(error)", status: .failure, libvirtError: error as? LibvirtError)
    }

    public var description: String { message }
}
