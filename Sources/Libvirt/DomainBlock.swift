import CLibvirt

/// The kind of a block job (`virDomainBlockJobType`); an open struct so new kinds round-trip.
public struct DomainBlockJobType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ value: virDomainBlockJobType) { rawValue = Int32(value.rawValue) }
    public static let unknown = Self(VIR_DOMAIN_BLOCK_JOB_TYPE_UNKNOWN)
    public static let pull = Self(VIR_DOMAIN_BLOCK_JOB_TYPE_PULL)
    public static let copy = Self(VIR_DOMAIN_BLOCK_JOB_TYPE_COPY)
    public static let commit = Self(VIR_DOMAIN_BLOCK_JOB_TYPE_COMMIT)
    public static let activeCommit = Self(VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT)
    public static let backup = Self(VIR_DOMAIN_BLOCK_JOB_TYPE_BACKUP)
    public var description: String {
        switch self {
        case .pull: "pull"
        case .copy: "copy"
        case .commit: "commit"
        case .activeCommit: "active commit"
        case .backup: "backup"
        default: "unknown"
        }
    }
}

/// A running block job's progress (`virDomainBlockJobInfo`).
public struct DomainBlockJobInfo: Hashable, Sendable {
    public var type: DomainBlockJobType
    /// MiB/s, or bytes/s when asked with `.bandwidthBytes`.
    public var bandwidth: UInt64
    /// Progress: `current` of `end` (the units are the driver's).
    public var current: UInt64
    public var end: UInt64
}

extension Domain {
    /// Grows (or shrinks) a disk of the running domain to `size` KiB, or bytes with `.bytes`.
    /// The corresponding C function is `virDomainBlockResize`.
    public func blockResize(_ disk: String, to size: UInt64, flags: DomainBlockResizeFlags = [.bytes]) throws {
        try Call.status { virDomainBlockResize(handle, disk, size, flags.rawValue) }
    }

    /// Starts merging the images between `top` and `base` of a disk's backing
    /// chain into `base` (`nil`: libvirt's defaults, the active layer's backing
    /// file and the deepest image). `bandwidth` 0 means unlimited.
    /// The corresponding C function is `virDomainBlockCommit`.
    public func blockCommit(
        _ disk: String, base: String? = nil, top: String? = nil, bandwidth: UInt64 = 0,
        flags: DomainBlockCommitFlags = []
    ) throws {
        try Call.status { virDomainBlockCommit(handle, disk, base, top, UInt(bandwidth), flags.rawValue) }
    }

    /// Starts copying the backing chain's data into the disk's top image, so it
    /// no longer needs its backing files.
    /// The corresponding C function is `virDomainBlockPull`.
    public func blockPull(_ disk: String, bandwidth: UInt64 = 0, flags: DomainBlockPullFlags = []) throws {
        try Call.status { virDomainBlockPull(handle, disk, UInt(bandwidth), flags.rawValue) }
    }

    /// The block job running on `disk`, or `nil` when there is none.
    /// The corresponding C function is `virDomainGetBlockJobInfo`.
    public func blockJobInfo(_ disk: String, flags: DomainBlockJobInfoFlags = []) throws -> DomainBlockJobInfo? {
        var info = virDomainBlockJobInfo()
        guard try Call.status({ virDomainGetBlockJobInfo(handle, disk, &info, flags.rawValue) }) == 1 else { return nil }
        return DomainBlockJobInfo(
            type: DomainBlockJobType(rawValue: info.type), bandwidth: UInt64(info.bandwidth),
            current: UInt64(info.cur), end: UInt64(info.end))
    }

    /// Cancels the block job on `disk`, or with `.pivot` completes a copy or active commit.
    /// The corresponding C function is `virDomainBlockJobAbort`.
    public func blockJobAbort(_ disk: String, flags: DomainBlockJobAbortFlags = []) throws {
        try Call.status { virDomainBlockJobAbort(handle, disk, flags.rawValue) }
    }
}
