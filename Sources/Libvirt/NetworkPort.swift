import CLibvirt

/// A port of a virtual network: the network side of one guest interface, with
/// its MAC, owner and bandwidth (`virNetworkPortPtr`). libvirt makes one for
/// each running guest interface on the network; `Network.createPort` reserves
/// one for a consumer of its own. Freed in `deinit`.
public final class NetworkPort: @unchecked Sendable {
    let handle: OpaquePointer
    /// The network this port belongs to (libvirt's `virNetworkPortGetNetwork`
    /// returns the same object, unreferenced).
    public let network: Network

    init(handle: OpaquePointer, network: Network) {
        self.handle = handle
        self.network = network
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virNetworkPortFree`.
    deinit { virNetworkPortFree(handle) }

    /// The port's UUID string.
    /// The corresponding C function is `virNetworkPortGetUUIDString`.
    public func uuid() throws -> String {
        try withStringBuffer(count: Int(VIR_UUID_STRING_BUFLEN)) { virNetworkPortGetUUIDString(handle, $0) }
    }

    /// The port's XML description (`<networkport>`).
    /// The corresponding C function is `virNetworkPortGetXMLDesc`.
    public func xml() throws -> String {
        try Call.ownedString { virNetworkPortGetXMLDesc(handle, 0) }
    }

    /// The port's bandwidth settings by libvirt's keys (`inbound.average`,
    /// `inbound.peak`, `inbound.burst`, `inbound.floor`, `outbound.average`,
    /// `outbound.peak`, `outbound.burst`; rates in KiB/s, bursts in KiB).
    /// The corresponding C function is `virNetworkPortGetParameters`.
    public func parameters() throws -> [String: TypedParameterValue] {
        var parameters: UnsafeMutablePointer<virTypedParameter>? = nil
        var count: Int32 = 0
        try Call.status { virNetworkPortGetParameters(handle, &parameters, &count, 0) }
        defer { virTypedParamsFree(parameters, count) }
        return TypedParameterValue.dictionary(parameters, count: count)
    }

    /// Changes the port's bandwidth settings (keys as in `parameters()`, values `.uint`).
    /// The corresponding C function is `virNetworkPortSetParameters`.
    public func setParameters(_ values: [String: TypedParameterValue]) throws {
        try TypedParameterValue.write(values) { virNetworkPortSetParameters(handle, $0, $1, 0) }
    }

    /// Removes the port, releasing what it reserved (bandwidth, a host device).
    /// The corresponding C function is `virNetworkPortDelete`.
    public func delete() throws {
        try Call.status { virNetworkPortDelete(handle, 0) }
    }
}

/// Flags for `Network.createPort(xml:flags:)` (`virNetworkPortCreateFlags`).
public struct NetworkPortCreateFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Take over resources already in use, as when the daemon restarts with a guest running.
    public static let reclaim = Self(rawValue: VIR_NETWORK_PORT_CREATE_RECLAIM.rawValue)
    /// Check the XML against libvirt's RelaxNG schema first.
    public static let validate = Self(rawValue: VIR_NETWORK_PORT_CREATE_VALIDATE.rawValue)
}

extension Network {
    /// The network's ports; the network must be running.
    /// The corresponding C function is `virNetworkListAllPorts`.
    public func ports() throws -> [NetworkPort] {
        try Call.list({ virNetworkListAllPorts(handle, $0, 0) }) { NetworkPort(handle: $0, network: self) }
    }

    /// Looks up a port by UUID string; throws `.noNetworkPort` when there is none.
    /// The corresponding C function is `virNetworkPortLookupByUUIDString`.
    public func port(uuid: String) throws -> NetworkPort {
        NetworkPort(handle: try Call.pointer { virNetworkPortLookupByUUIDString(handle, uuid) }, network: self)
    }

    /// Creates a port on the running network from `<networkport>` XML (owner, MAC,
    /// optional bandwidth); libvirt fills in the UUID when the XML has none.
    /// The corresponding C function is `virNetworkPortCreateXML`.
    public func createPort(xml: String, flags: NetworkPortCreateFlags = [.validate]) throws -> NetworkPort {
        NetworkPort(handle: try Call.pointer { virNetworkPortCreateXML(handle, xml, flags.rawValue) }, network: self)
    }
}
