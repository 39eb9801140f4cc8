import CLibvirt

/// Flags for `Domain.beginBackup` (`virDomainBackupBeginFlags`).
public struct DomainBackupBeginFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The push targets (or pull scratch files) exist already, created by the caller.
    public static let reuseExternal = Self(rawValue: VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL.rawValue)
}

extension Domain {
    /// Starts a backup job from `<domainbackup>` XML: in push mode the daemon
    /// copies the disks to the targets given and the job ends by itself; in
    /// pull mode it serves them over NBD until `abortJob()`. `<incremental>`
    /// names a checkpoint to copy only what changed since; `checkpointXML`
    /// (`<domaincheckpoint>`) creates a new checkpoint at the same instant.
    /// Follow the job with `jobInfo()` or `jobStats()`.
    /// The corresponding C function is `virDomainBackupBegin`.
    public func beginBackup(xml: String, checkpointXML: String? = nil, flags: DomainBackupBeginFlags = []) throws {
        try Call.status { virDomainBackupBegin(handle, xml, checkpointXML, flags.rawValue) }
    }

    /// The running backup job's XML description (`<domainbackup>`, with the
    /// daemon's choices such as the NBD export names filled in).
    /// The corresponding C function is `virDomainBackupGetXMLDesc`.
    public func backupXML() throws -> String {
        try Call.ownedString { virDomainBackupGetXMLDesc(handle, 0) }
    }
}
