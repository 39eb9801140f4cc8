/// One device on its own, as `virDomainAttachDeviceFlags` and
/// `virDomainDetachDeviceFlags` take it: the same writer as the device inside a
/// whole `<domain>`, so a device read from a domain is written back with what
/// the model does not know (alias, address, driver options) kept.

extension Disk {
    /// The `<disk>` element alone; throws the first ``ModelError`` found, naming `field`.
    public func deviceXML(field: String = "disk") throws -> String {
        try validate(field: field)
        return element().serialized()
    }
}

extension NetworkInterface {
    /// The `<interface>` element alone; throws the first ``ModelError`` found, naming `field`.
    public func deviceXML(field: String = "interface") throws -> String {
        try validate(field: field)
        return element().serialized()
    }
}
