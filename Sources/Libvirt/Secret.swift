import CLibvirt
#if canImport(Glibc)
import Glibc
#endif

/// A secret kept by libvirt, such as a volume passphrase or a Ceph key
/// (`virSecretPtr`). Freed in `deinit`.
public final class Secret: @unchecked Sendable {
    let handle: OpaquePointer
    /// The connection this secret was obtained from.
    public let connection: Connection

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virSecretFree`.
    deinit { virSecretFree(handle) }

    /// The secret's UUID string.
    /// The corresponding C function is `virSecretGetUUIDString`.
    public func uuid() throws -> String {
        try withStringBuffer(count: Int(VIR_UUID_STRING_BUFLEN)) { virSecretGetUUIDString(handle, $0) }
    }

    /// What the secret is for.
    /// The corresponding C function is `virSecretGetUsageType`.
    public func usageType() throws -> SecretUsageType {
        SecretUsageType(rawValue: try Call.status { virSecretGetUsageType(handle) })
    }

    /// The usage's identifier: a volume path, a Ceph or iSCSI name, …
    /// The corresponding C function is `virSecretGetUsageID`.
    public func usageID() throws -> String {
        try Call.borrowedString { virSecretGetUsageID(handle) }
    }

    /// The secret's XML description (`<secret>`), without its value.
    /// The corresponding C function is `virSecretGetXMLDesc`.
    public func xml() throws -> String {
        try Call.ownedString { virSecretGetXMLDesc(handle, 0) }
    }

    /// The secret's value; throws `.noSecret` when none was set, and
    /// `.operationDenied` for a private secret.
    /// The corresponding C function is `virSecretGetValue`.
    public func value() throws -> [UInt8] {
        var size = 0
        let raw = try Call.bytes { virSecretGetValue(handle, &size, 0) }
        defer { free(raw) }
        return Array(UnsafeBufferPointer(start: raw, count: size))
    }

    /// Sets the secret's value.
    /// The corresponding C function is `virSecretSetValue`.
    public func setValue(_ value: [UInt8]) throws {
        try Call.status { value.withUnsafeBufferPointer { virSecretSetValue(handle, $0.baseAddress, $0.count, 0) } }
    }

    /// Removes the secret.
    /// The corresponding C function is `virSecretUndefine`.
    public func undefine() throws {
        try Call.status { virSecretUndefine(handle) }
    }
}

/// What a secret is for (`virSecretUsageType`); an open struct so new types round-trip.
public struct SecretUsageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ value: virSecretUsageType) { rawValue = Int32(value.rawValue) }
    public static let none = Self(VIR_SECRET_USAGE_TYPE_NONE)
    public static let volume = Self(VIR_SECRET_USAGE_TYPE_VOLUME)
    public static let ceph = Self(VIR_SECRET_USAGE_TYPE_CEPH)
    public static let iscsi = Self(VIR_SECRET_USAGE_TYPE_ISCSI)
    public static let tls = Self(VIR_SECRET_USAGE_TYPE_TLS)
    public static let vtpm = Self(VIR_SECRET_USAGE_TYPE_VTPM)
    public var description: String {
        switch self {
        case .none: "none"
        case .volume: "volume"
        case .ceph: "ceph"
        case .iscsi: "iscsi"
        case .tls: "tls"
        case .vtpm: "vtpm"
        default: "usage \(rawValue)"
        }
    }
}

extension Connection {
    /// All secrets matching `filter` (empty: all).
    /// The corresponding C function is `virConnectListAllSecrets`.
    public func secrets(_ filter: SecretListFilter = []) throws -> [Secret] {
        try Call.list({ virConnectListAllSecrets(pointer, $0, filter.rawValue) }) { Secret(handle: $0, connection: self) }
    }

    /// Looks up a secret by UUID string; throws `.noSecret` when there is none.
    /// The corresponding C function is `virSecretLookupByUUIDString`.
    public func secret(uuid: String) throws -> Secret {
        Secret(handle: try Call.pointer { virSecretLookupByUUIDString(pointer, uuid) }, connection: self)
    }

    /// Looks up a secret by what it is for; throws `.noSecret` when there is none.
    /// The corresponding C function is `virSecretLookupByUsage`.
    public func secret(usage: SecretUsageType, id: String) throws -> Secret {
        Secret(handle: try Call.pointer { virSecretLookupByUsage(pointer, usage.rawValue, id) }, connection: self)
    }

    /// Defines (or redefines) a secret from `<secret>` XML; set its value with `setValue`.
    /// The corresponding C function is `virSecretDefineXML`.
    public func defineSecret(xml: String, validate: Bool = true) throws -> Secret {
        let flags: UInt32 = validate ? VIR_SECRET_DEFINE_VALIDATE.rawValue : 0
        return Secret(handle: try Call.pointer { virSecretDefineXML(pointer, xml, flags) }, connection: self)
    }
}
