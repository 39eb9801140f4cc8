import CLibvirt

/// What `Domain.save(_:flags:)` and `Connection.restoreDomain(_:flags:)` take
/// as libvirt's typed parameters (`VIR_DOMAIN_SAVE_PARAM_*`).
public struct DomainSaveParameters: Sendable, Hashable {
    /// The saved-state file on the daemon's host (`file`).
    public var file: String?
    /// A definition to store with the state, or to restore with (`dxml`).
    public var domainXML: String?
    /// Keys a newer libvirt knows (such as `format` or `parallel.channels`), passed as given.
    public var extra: [String: TypedParameterValue]

    public init(file: String? = nil, domainXML: String? = nil, extra: [String: TypedParameterValue] = [:]) {
        self.file = file
        self.domainXML = domainXML
        self.extra = extra
    }

    var typedParameters: [String: TypedParameterValue] {
        var values = extra
        if let file { values[VIR_DOMAIN_SAVE_PARAM_FILE] = .string(file) }
        if let domainXML { values[VIR_DOMAIN_SAVE_PARAM_DXML] = .string(domainXML) }
        return values
    }
}

extension Domain {
    /// Saves the running domain's memory as `parameters` say and stops it.
    /// The corresponding C function is `virDomainSaveParams`.
    public func save(_ parameters: DomainSaveParameters, flags: DomainSaveFlags = []) throws {
        try TypedParameterValue.write(parameters.typedParameters) { virDomainSaveParams(handle, $0, $1, flags.rawValue) }
    }
}

extension Connection {
    /// Starts a domain from a state saved by `Domain.save`, as `parameters` say.
    /// The corresponding C function is `virDomainRestoreParams`.
    public func restoreDomain(_ parameters: DomainSaveParameters, flags: DomainSaveFlags = []) throws {
        try TypedParameterValue.write(parameters.typedParameters) { virDomainRestoreParams(pointer, $0, $1, flags.rawValue) }
    }
}
