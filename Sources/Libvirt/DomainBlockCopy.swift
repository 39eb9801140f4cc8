import CLibvirt

/// Flags for `Domain.blockCopy` (`virDomainBlockCopyFlags`).
public struct DomainBlockCopyFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Copy only the top image; the copy keeps the same backing chain.
    public static let shallow = Self(rawValue: VIR_DOMAIN_BLOCK_COPY_SHALLOW.rawValue)
    /// The destination exists already (created by the caller).
    public static let reuseExternal = Self(rawValue: VIR_DOMAIN_BLOCK_COPY_REUSE_EXT.rawValue)
    /// Allow a copy of a persistent domain's disk; the job does not survive a restart.
    public static let transientJob = Self(rawValue: VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB.rawValue)
    /// Write the guest's new writes to both, so the copy always converges.
    public static let synchronousWrites = Self(rawValue: VIR_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES.rawValue)
}

/// Flags for `Domain.blockRebase` (`virDomainBlockRebaseFlags`).
public struct DomainBlockRebaseFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// With `.copy`, copy only the top image.
    public static let shallow = Self(rawValue: VIR_DOMAIN_BLOCK_REBASE_SHALLOW.rawValue)
    /// With `.copy`, the destination exists already.
    public static let reuseExternal = Self(rawValue: VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT.rawValue)
    /// With `.copy`, the destination is raw.
    public static let copyRaw = Self(rawValue: VIR_DOMAIN_BLOCK_REBASE_COPY_RAW.rawValue)
    /// Start a copy job to `base` (a path) instead of pulling into the top image.
    public static let copy = Self(rawValue: VIR_DOMAIN_BLOCK_REBASE_COPY.rawValue)
    /// Keep the backing chain's names relative.
    public static let relative = Self(rawValue: VIR_DOMAIN_BLOCK_REBASE_RELATIVE.rawValue)
    /// With `.copy`, the destination is a block device.
    public static let copyDevice = Self(rawValue: VIR_DOMAIN_BLOCK_REBASE_COPY_DEV.rawValue)
    /// Bandwidth is in bytes/s, not MiB/s.
    public static let bandwidthBytes = Self(rawValue: VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES.rawValue)
}

extension Domain {
    /// Starts copying a disk of the running domain to the destination that
    /// `destinationXML` (a `<disk>`) describes. The job mirrors new writes once
    /// it has caught up (`blockJobInfo` shows `current == end`); end it with
    /// `blockJobAbort` (`.pivot` switches the guest to the copy). `parameters`:
    /// `bandwidth` (bytes/s), `granularity`, `buf-size`.
    /// The corresponding C function is `virDomainBlockCopy`.
    public func blockCopy(
        _ disk: String, destinationXML: String, parameters: [String: TypedParameterValue] = [:],
        flags: DomainBlockCopyFlags = []
    ) throws {
        try TypedParameterValue.write(parameters) { virDomainBlockCopy(handle, disk, destinationXML, $0, $1, flags.rawValue) }
    }

    /// Pulls the backing chain above `base` (nil: all of it) into the disk's top
    /// image, or with `.copy` starts a copy job to the file `base`; follow it
    /// with `blockJobInfo`.
    /// The corresponding C function is `virDomainBlockRebase`.
    public func blockRebase(
        _ disk: String, base: String? = nil, bandwidth: UInt = 0, flags: DomainBlockRebaseFlags = []
    ) throws {
        try Call.status { virDomainBlockRebase(handle, disk, base, bandwidth, flags.rawValue) }
    }
}
