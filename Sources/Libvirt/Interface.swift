import CLibvirt

/// A host network interface managed through libvirt's interface driver
/// (netcf or udev) (`virInterfacePtr`). Freed in `deinit`.
public final class Interface: @unchecked Sendable {
    let handle: OpaquePointer
    /// The connection this interface was obtained from.
    public let connection: Connection

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virInterfaceFree`.
    deinit { virInterfaceFree(handle) }

    /// The interface's name, such as `eth0`.
    /// The corresponding C function is `virInterfaceGetName`.
    public var name: String {
        (try? Call.borrowedString { virInterfaceGetName(handle) }) ?? ""
    }

    /// The interface's MAC address.
    /// The corresponding C function is `virInterfaceGetMACString`.
    public func mac() throws -> String {
        try Call.borrowedString { virInterfaceGetMACString(handle) }
    }

    /// The interface's XML description; `inactive` reads the persistent definition.
    /// The corresponding C function is `virInterfaceGetXMLDesc`.
    public func xml(inactive: Bool = false) throws -> String {
        try Call.ownedString { virInterfaceGetXMLDesc(handle, inactive ? VIR_INTERFACE_XML_INACTIVE.rawValue : 0) }
    }

    /// Whether the interface is up.
    /// The corresponding C function is `virInterfaceIsActive`.
    public func isActive() throws -> Bool {
        try Call.status { virInterfaceIsActive(handle) } == 1
    }

    /// Brings the interface up.
    /// The corresponding C function is `virInterfaceCreate`.
    public func start() throws {
        try Call.status { virInterfaceCreate(handle, 0) }
    }

    /// Brings the interface down.
    /// The corresponding C function is `virInterfaceDestroy`.
    public func destroy() throws {
        try Call.status { virInterfaceDestroy(handle, 0) }
    }

    /// Removes the interface's persistent definition.
    /// The corresponding C function is `virInterfaceUndefine`.
    public func undefine() throws {
        try Call.status { virInterfaceUndefine(handle) }
    }
}

/// Filters for `Connection.interfaces(_:)` (`virConnectListAllInterfacesFlags`).
public struct InterfaceListFilter: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let active = Self(rawValue: VIR_CONNECT_LIST_INTERFACES_ACTIVE.rawValue)
    public static let inactive = Self(rawValue: VIR_CONNECT_LIST_INTERFACES_INACTIVE.rawValue)
}

extension Connection {
    /// All host interfaces matching `filter` (empty: all).
    /// The corresponding C function is `virConnectListAllInterfaces`.
    public func interfaces(_ filter: InterfaceListFilter = []) throws -> [Interface] {
        try Call.list({ virConnectListAllInterfaces(pointer, $0, filter.rawValue) }) { Interface(handle: $0, connection: self) }
    }

    /// Looks up a host interface by name; throws `.noInterface` when there is none.
    /// The corresponding C function is `virInterfaceLookupByName`.
    public func interface(named name: String) throws -> Interface {
        Interface(handle: try Call.pointer { virInterfaceLookupByName(pointer, name) }, connection: self)
    }

    /// Looks up a host interface by MAC address.
    /// The corresponding C function is `virInterfaceLookupByMACString`.
    public func interface(mac: String) throws -> Interface {
        Interface(handle: try Call.pointer { virInterfaceLookupByMACString(pointer, mac) }, connection: self)
    }

    /// Defines a host interface from `<interface>` XML (inactive until started).
    /// The corresponding C function is `virInterfaceDefineXML`.
    public func defineInterface(xml: String, validate: Bool = true) throws -> Interface {
        let flags: UInt32 = validate ? VIR_INTERFACE_DEFINE_VALIDATE.rawValue : 0
        return Interface(handle: try Call.pointer { virInterfaceDefineXML(pointer, xml, flags) }, connection: self)
    }

    /// Starts a transaction over interface changes: `commitInterfaceChanges()`
    /// keeps them, `rollBackInterfaceChanges()` restores the state at this call.
    /// The corresponding C function is `virInterfaceChangeBegin`.
    public func beginInterfaceChanges() throws {
        try Call.status { virInterfaceChangeBegin(pointer, 0) }
    }

    /// Keeps the interface changes made since `beginInterfaceChanges()`.
    /// The corresponding C function is `virInterfaceChangeCommit`.
    public func commitInterfaceChanges() throws {
        try Call.status { virInterfaceChangeCommit(pointer, 0) }
    }

    /// Undoes the interface changes made since `beginInterfaceChanges()`.
    /// The corresponding C function is `virInterfaceChangeRollback`.
    public func rollBackInterfaceChanges() throws {
        try Call.status { virInterfaceChangeRollback(pointer, 0) }
    }
}
