import CLibvirt
#if canImport(Glibc)
import Glibc
#endif

/// A device of the host as libvirt sees it: a PCI or USB device, a NIC, a
/// SCSI host, a mediated device (`virNodeDevicePtr`). Freed in `deinit`.
public final class NodeDevice: @unchecked Sendable {
    let handle: OpaquePointer
    /// The connection this device was obtained from.
    public let connection: Connection

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virNodeDeviceFree`.
    deinit { virNodeDeviceFree(handle) }

    /// The device's name, such as `pci_0000_00_1f_2` or `net_eth0_52_54_00_12_34_56`.
    /// The corresponding C function is `virNodeDeviceGetName`.
    public var name: String {
        (try? Call.borrowedString { virNodeDeviceGetName(handle) }) ?? ""
    }

    /// The parent device's name, `nil` for the root (`computer`).
    /// The corresponding C function is `virNodeDeviceGetParent`.
    public func parentName() -> String? {
        try? Call.borrowedString { virNodeDeviceGetParent(handle) }
    }

    /// The device's XML description (`<device>`).
    /// The corresponding C function is `virNodeDeviceGetXMLDesc`.
    public func xml() throws -> String {
        try Call.ownedString { virNodeDeviceGetXMLDesc(handle, 0) }
    }

    /// The device's capability names, such as `pci`, `net` or `scsi_host`.
    /// The corresponding C functions are `virNodeDeviceNumOfCaps` and `virNodeDeviceListCaps`.
    public func capabilities() throws -> [String] {
        let count = try Call.status { virNodeDeviceNumOfCaps(handle) }
        var names = [UnsafeMutablePointer<CChar>?](repeating: nil, count: Int(count))
        let filled = try Call.status { virNodeDeviceListCaps(handle, &names, count) }
        defer { names.forEach { free($0) } }
        return names.prefix(Int(filled)).compactMap { $0.map { String(cString: $0) } }
    }

    /// Whether the device is active (for a mediated device, whether it exists now).
    /// The corresponding C function is `virNodeDeviceIsActive`.
    public func isActive() throws -> Bool {
        try Call.status { virNodeDeviceIsActive(handle) } == 1
    }

    /// Whether the device has a persistent definition (mediated devices).
    /// The corresponding C function is `virNodeDeviceIsPersistent`.
    public func isPersistent() throws -> Bool {
        try Call.status { virNodeDeviceIsPersistent(handle) } == 1
    }

    /// Whether a defined device is started with the host.
    /// The corresponding C function is `virNodeDeviceGetAutostart`.
    public func autostart() throws -> Bool {
        var value: Int32 = 0
        try Call.status { virNodeDeviceGetAutostart(handle, &value) }
        return value != 0
    }

    /// Sets whether a defined device is started with the host.
    /// The corresponding C function is `virNodeDeviceSetAutostart`.
    public func setAutostart(_ enabled: Bool) throws {
        try Call.status { virNodeDeviceSetAutostart(handle, enabled ? 1 : 0) }
    }

    /// Starts a defined (inactive) device.
    /// The corresponding C function is `virNodeDeviceCreate`.
    public func start() throws {
        try Call.status { virNodeDeviceCreate(handle, 0) }
    }

    /// Removes a device made by libvirt (a vHBA or mediated device) from the host.
    /// The corresponding C function is `virNodeDeviceDestroy`.
    public func destroy() throws {
        try Call.status { virNodeDeviceDestroy(handle) }
    }

    /// Removes a device's persistent definition.
    /// The corresponding C function is `virNodeDeviceUndefine`.
    public func undefine() throws {
        try Call.status { virNodeDeviceUndefine(handle, 0) }
    }

    /// Detaches a PCI device from its host driver so a guest can be given it
    /// (`driver` nil: libvirt's choice, normally `vfio`).
    /// The corresponding C function is `virNodeDeviceDetachFlags`.
    public func detachFromHost(driver: String? = nil) throws {
        try Call.status { virNodeDeviceDetachFlags(handle, driver, 0) }
    }

    /// Gives a detached PCI device back to its host driver.
    /// The corresponding C function is `virNodeDeviceReAttach`.
    public func reattachToHost() throws {
        try Call.status { virNodeDeviceReAttach(handle) }
    }

    /// Resets a PCI device (function-level or bus reset).
    /// The corresponding C function is `virNodeDeviceReset`.
    public func reset() throws {
        try Call.status { virNodeDeviceReset(handle) }
    }
}

extension Connection {
    /// The host's devices with any of the capabilities in `filter` (empty: all).
    /// The corresponding C function is `virConnectListAllNodeDevices`.
    public func nodeDevices(_ filter: NodeDeviceListFilter = []) throws -> [NodeDevice] {
        try Call.list({ virConnectListAllNodeDevices(pointer, $0, filter.rawValue) }) { NodeDevice(handle: $0, connection: self) }
    }

    /// Looks up a host device by name; throws `.noNodeDevice` when there is none.
    /// The corresponding C function is `virNodeDeviceLookupByName`.
    public func nodeDevice(named name: String) throws -> NodeDevice {
        NodeDevice(handle: try Call.pointer { virNodeDeviceLookupByName(pointer, name) }, connection: self)
    }

    /// Creates a transient device (a vHBA or mediated device) from `<device>` XML.
    /// The corresponding C function is `virNodeDeviceCreateXML`.
    public func createNodeDevice(xml: String, validate: Bool = true) throws -> NodeDevice {
        let flags: UInt32 = validate ? VIR_NODE_DEVICE_CREATE_XML_VALIDATE.rawValue : 0
        return NodeDevice(handle: try Call.pointer { virNodeDeviceCreateXML(pointer, xml, flags) }, connection: self)
    }

    /// Defines a persistent (inactive) device, such as a mediated device, from `<device>` XML.
    /// The corresponding C function is `virNodeDeviceDefineXML`.
    public func defineNodeDevice(xml: String, validate: Bool = true) throws -> NodeDevice {
        let flags: UInt32 = validate ? VIR_NODE_DEVICE_DEFINE_XML_VALIDATE.rawValue : 0
        return NodeDevice(handle: try Call.pointer { virNodeDeviceDefineXML(pointer, xml, flags) }, connection: self)
    }
}
