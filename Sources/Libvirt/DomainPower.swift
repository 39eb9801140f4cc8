import CLibvirt

extension Domain {
    /// Asks the guest to shut down in one of the given ways; returns at once.
    /// The corresponding C function is `virDomainShutdownFlags`.
    public func shutdown(_ flags: DomainShutdownFlags) throws {
        try Call.status { virDomainShutdownFlags(handle, flags.rawValue) }
    }

    /// Resets the domain at once, like pressing the reset button; the guest is not asked.
    /// The corresponding C function is `virDomainReset`.
    public func reset() throws {
        try Call.status { virDomainReset(handle, 0) }
    }

    /// Saves the running domain's memory to a file libvirt manages and stops it;
    /// the next `start()` restores it.
    /// The corresponding C function is `virDomainManagedSave`.
    public func managedSave(_ flags: DomainSaveFlags = []) throws {
        try Call.status { virDomainManagedSave(handle, flags.rawValue) }
    }

    /// Whether a managed save image exists, so that `start()` resumes from it.
    /// The corresponding C function is `virDomainHasManagedSaveImage`.
    public func hasManagedSaveImage() throws -> Bool {
        try Call.status { virDomainHasManagedSaveImage(handle, 0) } == 1
    }

    /// Deletes the managed save image; the next `start()` boots afresh.
    /// The corresponding C function is `virDomainManagedSaveRemove`.
    public func removeManagedSaveImage() throws {
        try Call.status { virDomainManagedSaveRemove(handle, 0) }
    }

    /// Saves the running domain's memory to `path` (on the daemon's host) and
    /// stops it; `xml` optionally replaces the definition stored with it.
    /// The corresponding C function is `virDomainSaveFlags`.
    public func save(to path: String, xml: String? = nil, flags: DomainSaveFlags = []) throws {
        try Call.status { virDomainSaveFlags(handle, path, xml, flags.rawValue) }
    }
}

extension Connection {
    /// Starts a domain from a file written by `Domain.save(to:xml:flags:)`;
    /// `xml` optionally replaces the definition stored with it.
    /// The corresponding C function is `virDomainRestoreFlags`.
    public func restoreDomain(from path: String, xml: String? = nil, flags: DomainSaveFlags = []) throws {
        try Call.status { virDomainRestoreFlags(pointer, path, xml, flags.rawValue) }
    }

    /// The domain definition stored in a saved-state file.
    /// The corresponding C function is `virDomainSaveImageGetXMLDesc`.
    public func savedDomainXML(at path: String, flags: DomainXMLFlags = []) throws -> String {
        try Call.ownedString { virDomainSaveImageGetXMLDesc(pointer, path, flags.rawValue) }
    }
}
