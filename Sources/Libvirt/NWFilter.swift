import CLibvirt

/// A network filter: a named set of firewall rules that guests' interfaces
/// reference with `<filterref filter='…'/>` (`virNWFilterPtr`). Freed in `deinit`.
public final class NWFilter: @unchecked Sendable {
    let handle: OpaquePointer
    /// The connection this filter was obtained from.
    public let connection: Connection

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virNWFilterFree`.
    deinit { virNWFilterFree(handle) }

    /// The filter's name, such as `clean-traffic`.
    /// The corresponding C function is `virNWFilterGetName`.
    public var name: String {
        (try? Call.borrowedString { virNWFilterGetName(handle) }) ?? ""
    }

    /// The filter's UUID string.
    /// The corresponding C function is `virNWFilterGetUUIDString`.
    public func uuid() throws -> String {
        try withStringBuffer(count: Int(VIR_UUID_STRING_BUFLEN)) { virNWFilterGetUUIDString(handle, $0) }
    }

    /// The filter's XML description (`<filter>`).
    /// The corresponding C function is `virNWFilterGetXMLDesc`.
    public func xml() throws -> String {
        try Call.ownedString { virNWFilterGetXMLDesc(handle, 0) }
    }

    /// Removes the filter; libvirt refuses while a guest interface or another
    /// filter still references it (`.operationInvalid`).
    /// The corresponding C function is `virNWFilterUndefine`.
    public func undefine() throws {
        try Call.status { virNWFilterUndefine(handle) }
    }
}

/// A network filter applied to one host-side port (a guest's tap device):
/// the port device, the filter, and the filter's parameters such as `MAC`
/// (`virNWFilterBindingPtr`). libvirt creates one for each running guest
/// interface with a `<filterref>`; `Connection.createNWFilterBinding` makes one
/// for a port libvirt does not manage. Freed in `deinit`.
public final class NWFilterBinding: @unchecked Sendable {
    let handle: OpaquePointer
    /// The connection this binding was obtained from.
    public let connection: Connection

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virNWFilterBindingFree`.
    deinit { virNWFilterBindingFree(handle) }

    /// The host port device the filter applies to, such as `vnet0`.
    /// The corresponding C function is `virNWFilterBindingGetPortDev`.
    public var portDevice: String {
        (try? Call.borrowedString { virNWFilterBindingGetPortDev(handle) }) ?? ""
    }

    /// The name of the filter applied.
    /// The corresponding C function is `virNWFilterBindingGetFilterName`.
    public var filterName: String {
        (try? Call.borrowedString { virNWFilterBindingGetFilterName(handle) }) ?? ""
    }

    /// The binding's XML description (`<filterbinding>`).
    /// The corresponding C function is `virNWFilterBindingGetXMLDesc`.
    public func xml() throws -> String {
        try Call.ownedString { virNWFilterBindingGetXMLDesc(handle, 0) }
    }

    /// Removes the binding and the firewall rules it installed.
    /// The corresponding C function is `virNWFilterBindingDelete`.
    public func delete() throws {
        try Call.status { virNWFilterBindingDelete(handle) }
    }
}

extension Connection {
    /// All network filters, libvirt's own (`clean-traffic`, `allow-arp`, …) included.
    /// The corresponding C function is `virConnectListAllNWFilters`.
    public func nwFilters() throws -> [NWFilter] {
        try Call.list({ virConnectListAllNWFilters(pointer, $0, 0) }) { NWFilter(handle: $0, connection: self) }
    }

    /// Looks up a network filter by name; throws `.noNWFilter` when there is none.
    /// The corresponding C function is `virNWFilterLookupByName`.
    public func nwFilter(named name: String) throws -> NWFilter {
        NWFilter(handle: try Call.pointer { virNWFilterLookupByName(pointer, name) }, connection: self)
    }

    /// Looks up a network filter by UUID string; throws `.noNWFilter` when there is none.
    /// The corresponding C function is `virNWFilterLookupByUUIDString`.
    public func nwFilter(uuid: String) throws -> NWFilter {
        NWFilter(handle: try Call.pointer { virNWFilterLookupByUUIDString(pointer, uuid) }, connection: self)
    }

    /// Defines (or redefines) a network filter from `<filter>` XML.
    /// With `validate`, libvirt checks the XML against its RelaxNG schema first.
    /// The corresponding C function is `virNWFilterDefineXMLFlags`.
    public func defineNWFilter(xml: String, validate: Bool = true) throws -> NWFilter {
        let flags: UInt32 = validate ? VIR_NWFILTER_DEFINE_VALIDATE.rawValue : 0
        return NWFilter(handle: try Call.pointer { virNWFilterDefineXMLFlags(pointer, xml, flags) }, connection: self)
    }

    /// All filter bindings: one per filtered port.
    /// The corresponding C function is `virConnectListAllNWFilterBindings`.
    public func nwFilterBindings() throws -> [NWFilterBinding] {
        try Call.list({ virConnectListAllNWFilterBindings(pointer, $0, 0) }) {
            NWFilterBinding(handle: $0, connection: self)
        }
    }

    /// Looks up the binding of a port device such as `vnet0`; throws
    /// `.noNWFilterBinding` when the port has none.
    /// The corresponding C function is `virNWFilterBindingLookupByPortDev`.
    public func nwFilterBinding(portDevice: String) throws -> NWFilterBinding {
        NWFilterBinding(
            handle: try Call.pointer { virNWFilterBindingLookupByPortDev(pointer, portDevice) }, connection: self)
    }

    /// Applies a filter to a port from `<filterbinding>` XML (the port device,
    /// its MAC, the filter and its parameters). The rules stay until `delete()`,
    /// even when this process ends.
    /// The corresponding C function is `virNWFilterBindingCreateXML`.
    public func createNWFilterBinding(xml: String, validate: Bool = true) throws -> NWFilterBinding {
        let flags: UInt32 = validate ? VIR_NWFILTER_BINDING_CREATE_VALIDATE.rawValue : 0
        return NWFilterBinding(
            handle: try Call.pointer { virNWFilterBindingCreateXML(pointer, xml, flags) }, connection: self)
    }
}
