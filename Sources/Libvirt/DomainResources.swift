import CLibvirt

extension Domain {
    // MARK: Devices

    /// Adds the device described by `xml` (a `<disk>`, `<interface>`, …) to the
    /// running domain, its persistent definition, or both.
    /// The corresponding C function is `virDomainAttachDeviceFlags`.
    public func attachDevice(xml: String, flags: DomainDeviceModifyFlags = .current) throws {
        try Call.status { virDomainAttachDeviceFlags(handle, xml, flags.rawValue) }
    }

    /// Removes the device that `xml` describes (matched by libvirt, e.g. by
    /// target or MAC). For a live domain the guest may still be releasing it
    /// when this returns; watch for a device-removed event.
    /// The corresponding C function is `virDomainDetachDeviceFlags`.
    public func detachDevice(xml: String, flags: DomainDeviceModifyFlags = .current) throws {
        try Call.status { virDomainDetachDeviceFlags(handle, xml, flags.rawValue) }
    }

    /// Removes the device whose `<alias name=…>` is `alias`.
    /// The corresponding C function is `virDomainDetachDeviceAlias`.
    public func detachDevice(alias: String, flags: DomainDeviceModifyFlags = .current) throws {
        try Call.status { virDomainDetachDeviceAlias(handle, alias, flags.rawValue) }
    }

    /// Changes a device in place, such as the medium of a cdrom or the link state of an interface.
    /// The corresponding C function is `virDomainUpdateDeviceFlags`.
    public func updateDevice(xml: String, flags: DomainDeviceModifyFlags = .current) throws {
        try Call.status { virDomainUpdateDeviceFlags(handle, xml, flags.rawValue) }
    }

    // MARK: Memory

    /// The most memory the domain may have, in KiB.
    /// The corresponding C function is `virDomainGetMaxMemory`.
    public func maxMemoryKiB() throws -> UInt64 {
        UInt64(try Call.nonZero { virDomainGetMaxMemory(handle) })
    }

    /// Sets the domain's maximum memory in KiB (usually only while it is shut off).
    /// The corresponding C function is `virDomainSetMaxMemory`.
    public func setMaxMemory(kiB: UInt64) throws {
        try Call.status { virDomainSetMaxMemory(handle, UInt(kiB)) }
    }

    /// Sets the current memory (the balloon target) in KiB, or with `.maximum` the maximum.
    /// The corresponding C function is `virDomainSetMemoryFlags`.
    public func setMemory(kiB: UInt64, flags: DomainMemoryFlags = .current) throws {
        try Call.status { virDomainSetMemoryFlags(handle, UInt(kiB), flags.rawValue) }
    }

    // MARK: vCPUs

    /// The number of vCPUs: current or (with `.maximum`) the maximum, live or persistent.
    /// The corresponding C function is `virDomainGetVcpusFlags`.
    public func vcpuCount(_ flags: DomainVcpuFlags = .current) throws -> Int {
        Int(try Call.status { virDomainGetVcpusFlags(handle, flags.rawValue) })
    }

    /// The most vCPUs the running domain can have.
    /// The corresponding C function is `virDomainGetMaxVcpus`.
    public func maxVcpus() throws -> Int {
        Int(try Call.status { virDomainGetMaxVcpus(handle) })
    }

    /// Sets the number of vCPUs (with `.maximum`, the maximum in the persistent definition).
    /// The corresponding C function is `virDomainSetVcpusFlags`.
    public func setVcpus(_ count: Int, flags: DomainVcpuFlags = .current) throws {
        try Call.status { virDomainSetVcpusFlags(handle, UInt32(count), flags.rawValue) }
    }
}
